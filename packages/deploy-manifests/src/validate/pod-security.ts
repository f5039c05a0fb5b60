import type { KubeObject } from '../common.js';
import { objectId, type Problem } from './kubernetes.js';

/** A Pod Security Standards level, as the `pod-security.kubernetes.io/enforce` namespace label names it. */
export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

/** The namespace label Pod Security Admission enforces. */
export const POD_SECURITY_ENFORCE = 'pod-security.kubernetes.io/enforce';

interface SecurityContextLike {
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  runAsNonRoot?: boolean;
  runAsUser?: number;
  procMount?: string;
  seccompProfile?: { type?: string };
  capabilities?: { add?: string[]; drop?: string[] };
}
interface ContainerLike {
  name: string;
  securityContext?: SecurityContextLike;
  ports?: { hostPort?: number }[];
}
interface PodSpecLike {
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: SecurityContextLike & { sysctls?: { name: string }[] };
  containers?: ContainerLike[];
  initContainers?: ContainerLike[];
  volumes?: Record<string, unknown>[];
}

// Pod Security Standards (kubernetes.io/docs/concepts/security/pod-security-standards), the checks that apply to
// Linux pods. Baseline: capabilities beyond this list may not be added; sysctls outside the safe set may not be set.
const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);
// Restricted: only these volume types.
const RESTRICTED_VOLUMES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

/**
 * What Pod Security Admission would reject in one pod template at `level`, as `[JSON path, rule]` pairs (empty
 * at `privileged`, and for a pod that passes).
 *
 * @example
 * podSecurityViolations({ containers: [{ name: 'a', securityContext: { privileged: true } }] }, 'baseline')
 * // [['/containers/0/securityContext/privileged', 'privileged containers are not allowed']]
 */
export function podSecurityViolations(pod: PodSpecLike, level: PodSecurityLevel): [string, string][] {
  if (level === 'privileged') return [];
  const out: [string, string][] = [];
  for (const f of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (pod[f]) out.push([`/${f}`, `host namespaces (${f}) are not allowed`]);
  }
  const podCtx = pod.securityContext ?? {};
  if (podCtx.seccompProfile?.type === 'Unconfined')
    out.push(['/securityContext/seccompProfile/type', 'seccomp may not be Unconfined']);
  for (const [i, s] of (podCtx.sysctls ?? []).entries()) {
    if (!SAFE_SYSCTLS.has(s.name))
      out.push([`/securityContext/sysctls/${i}`, `sysctl ${s.name} is not safe`]);
  }
  for (const [i, v] of (pod.volumes ?? []).entries()) {
    const type = Object.keys(v).find((k) => k !== 'name') ?? '';
    if (type === 'hostPath') out.push([`/volumes/${i}`, 'hostPath volumes are not allowed']);
    else if (level === 'restricted' && !RESTRICTED_VOLUMES.has(type))
      out.push([`/volumes/${i}`, `volume type ${type} is not allowed`]);
  }
  const groups = [
    ['containers', pod.containers ?? []],
    ['initContainers', pod.initContainers ?? []],
  ] as const;
  for (const [group, containers] of groups) {
    for (const [i, c] of containers.entries()) {
      const at = `/${group}/${i}`;
      const ctx = c.securityContext ?? {};
      if (ctx.privileged)
        out.push([`${at}/securityContext/privileged`, 'privileged containers are not allowed']);
      if (ctx.procMount !== undefined && ctx.procMount !== 'Default')
        out.push([`${at}/securityContext/procMount`, 'procMount must be Default']);
      if (ctx.seccompProfile?.type === 'Unconfined')
        out.push([`${at}/securityContext/seccompProfile/type`, 'seccomp may not be Unconfined']);
      for (const [j, p] of (c.ports ?? []).entries()) {
        if (p.hostPort) out.push([`${at}/ports/${j}/hostPort`, 'host ports are not allowed']);
      }
      const added = ctx.capabilities?.add ?? [];
      for (const cap of added) {
        const allowed = level === 'restricted' ? cap === 'NET_BIND_SERVICE' : BASELINE_CAPABILITIES.has(cap);
        if (!allowed)
          out.push([`${at}/securityContext/capabilities/add`, `capability ${cap} may not be added`]);
      }
      if (level !== 'restricted') continue;
      if (ctx.allowPrivilegeEscalation !== false)
        out.push([`${at}/securityContext/allowPrivilegeEscalation`, 'must be false']);
      if (!(ctx.capabilities?.drop ?? []).includes('ALL'))
        out.push([`${at}/securityContext/capabilities/drop`, "must include 'ALL'"]);
      if (!(ctx.runAsNonRoot ?? podCtx.runAsNonRoot))
        out.push([`${at}/securityContext/runAsNonRoot`, 'must be true (on the container or the pod)']);
      if ((ctx.runAsUser ?? podCtx.runAsUser) === 0)
        out.push([`${at}/securityContext/runAsUser`, 'may not be 0 (root)']);
      const seccomp = ctx.seccompProfile?.type ?? podCtx.seccompProfile?.type;
      if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost')
        out.push([
          `${at}/securityContext/seccompProfile`,
          'must be RuntimeDefault or Localhost (container or pod)',
        ]);
    }
  }
  return out;
}

/**
 * Every pod template in the bundle that the Pod Security level of its namespace would reject, where that
 * namespace is in the bundle and labels an enforce level: what `kubectl apply` would otherwise accept and the
 * controller then fail to create pods for.
 *
 * @example
 * checkPodSecurity(stack({ otlpEndpoint: 'https://otlp.example.com:4317' }).objects) // []
 */
export function checkPodSecurity(objects: readonly KubeObject[]): Problem[] {
  const levels = new Map<string, PodSecurityLevel>();
  for (const o of objects) {
    const level = o.kind === 'Namespace' ? o.metadata.labels?.[POD_SECURITY_ENFORCE] : undefined;
    if (level === 'privileged' || level === 'baseline' || level === 'restricted')
      levels.set(o.metadata.name, level);
  }
  const problems: Problem[] = [];
  for (const o of objects) {
    if (!['Deployment', 'DaemonSet', 'StatefulSet', 'Job'].includes(o.kind)) continue;
    const level = levels.get(o.metadata.namespace ?? '');
    const pod = (o.spec as { template?: { spec?: PodSpecLike } } | undefined)?.template?.spec;
    if (!level || !pod) continue;
    for (const [path, rule] of podSecurityViolations(pod, level)) {
      problems.push({
        code: 'POD_SECURITY',
        field: `${objectId(o)}:/spec/template/spec${path}`,
        message: `${rule} in a namespace enforcing Pod Security '${level}'.`,
      });
    }
  }
  return problems;
}
