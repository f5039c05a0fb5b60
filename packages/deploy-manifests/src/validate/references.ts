import { parse } from 'yaml';
import { collectorConfigProblems } from '../collector/config.js';
import { COLLECTOR_NAME } from '../collector/endpoints.js';
import type { KubeObject } from '../common.js';
import { objectId, type Problem } from './kubernetes.js';

interface PodSpecLike {
  serviceAccountName?: string;
  containers?: ContainerLike[];
  initContainers?: ContainerLike[];
  volumes?: {
    name: string;
    configMap?: { name: string };
    secret?: { secretName: string };
    hostPath?: unknown;
    emptyDir?: unknown;
  }[];
}
interface ContainerLike {
  name: string;
  ports?: { name?: string; containerPort: number }[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: {
      configMapKeyRef?: { name: string; key: string };
      secretKeyRef?: { name: string; key: string };
    };
  }[];
  volumeMounts?: { name: string }[];
  readinessProbe?: ProbeLike;
  livenessProbe?: ProbeLike;
}
interface ProbeLike {
  httpGet?: { port: number | string };
  tcpSocket?: { port: number | string };
}
interface Workload {
  object: KubeObject;
  podLabels: Record<string, string>;
  pod: PodSpecLike;
}

const WORKLOAD_KINDS = ['Deployment', 'DaemonSet', 'StatefulSet'];
const OTLP_ENV = /^OTEL_EXPORTER_OTLP(_(TRACES|METRICS|LOGS))?_ENDPOINT$/;
const PXL_ENDPOINT = /px\.otel\.Endpoint\(url='([^']+)'/g;

function key(kind: string, namespace: string | undefined, name: string) {
  return `${kind}/${namespace ?? ''}/${name}`;
}

function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function workloads(objects: readonly KubeObject[]): Workload[] {
  return objects
    .filter((o) => WORKLOAD_KINDS.includes(o.kind))
    .map((o) => {
      const spec = o.spec as {
        template?: { metadata?: { labels?: Record<string, string> }; spec?: PodSpecLike };
      };
      return { object: o, podLabels: spec.template?.metadata?.labels ?? {}, pod: spec.template?.spec ?? {} };
    });
}

/** Every `endpoint` under OTLP export sections of a parsed tool config (Beyla/OBI, collector forwarders). */
function configEndpoints(config: unknown): string[] {
  const out: string[] = [];
  if (config === null || typeof config !== 'object') return out;
  const c = config as Record<string, unknown>;
  for (const section of ['otel_metrics_export', 'otel_traces_export']) {
    const e = (c[section] as { endpoint?: unknown } | undefined)?.endpoint;
    if (typeof e === 'string') out.push(e);
  }
  const exporters = c.exporters as Record<string, { endpoint?: unknown }> | undefined;
  for (const [name, exp] of Object.entries(exporters ?? {})) {
    if (/^otlp/.test(name) && typeof exp?.endpoint === 'string') out.push(exp.endpoint);
  }
  return out;
}

/**
 * Cross-reference checks over a whole bundle, the mistakes a schema cannot see: workload selectors select their
 * own pod template; every ConfigMap, Secret and ServiceAccount a pod uses is in the bundle (same namespace);
 * every volume mount names a volume; every Service selects some pod and targets a port a container declares;
 * probes use declared ports; (Cluster)RoleBindings bind roles and ServiceAccounts that exist; every OTLP
 * endpoint in an env var, tool config or PxL script resolves to the collector Service and one of its ports
 * (the collector's own upstream exporter is exempt: it points outside the cluster by design); every Collector
 * config is internally consistent; the gateway's OTLP receivers listen on 0.0.0.0 on declared ports; and every
 * NetworkPolicy selects pods of the bundle, opens ports they declare, and admits peers that exist.
 *
 * @example
 * checkReferences(stack({ otlpEndpoint: 'https://otlp.example.com:4317' }).objects) // []
 */
export function checkReferences(objects: readonly KubeObject[]): Problem[] {
  const problems: Problem[] = [];
  const have = new Set(objects.map((o) => key(o.kind, o.metadata.namespace, o.metadata.name)));
  const problem = (o: KubeObject, path: string, message: string) =>
    problems.push({ code: 'BROKEN_REFERENCE', field: `${objectId(o)}:${path}`, message });
  const ws = workloads(objects);

  for (const { object: o, podLabels, pod } of ws) {
    const ns = o.metadata.namespace;
    const selector =
      (o.spec as { selector?: { matchLabels?: Record<string, string> } }).selector?.matchLabels ?? {};
    if (Object.keys(selector).length === 0 || !matches(selector, podLabels)) {
      problem(
        o,
        '/spec/selector',
        'does not select the pod template labels; the controller would own no pods.',
      );
    }
    if (pod.serviceAccountName && !have.has(key('ServiceAccount', ns, pod.serviceAccountName))) {
      problem(
        o,
        '/spec/template/spec/serviceAccountName',
        `ServiceAccount ${pod.serviceAccountName} is not in the bundle.`,
      );
    }
    const volumes = new Set((pod.volumes ?? []).map((v) => v.name));
    (pod.volumes ?? []).forEach((v, i) => {
      if (v.configMap && !have.has(key('ConfigMap', ns, v.configMap.name))) {
        problem(o, `/spec/template/spec/volumes/${i}`, `ConfigMap ${v.configMap.name} is not in the bundle.`);
      }
      if (v.secret && !have.has(key('Secret', ns, v.secret.secretName))) {
        problem(o, `/spec/template/spec/volumes/${i}`, `Secret ${v.secret.secretName} is not in the bundle.`);
      }
    });
    [...(pod.containers ?? []), ...(pod.initContainers ?? [])].forEach((c, ci) => {
      const at = `/spec/template/spec/containers/${ci}`;
      (c.volumeMounts ?? []).forEach((m, mi) => {
        if (!volumes.has(m.name))
          problem(o, `${at}/volumeMounts/${mi}`, `mounts volume ${m.name}, which the pod does not define.`);
      });
      (c.env ?? []).forEach((e, ei) => {
        const cm = e.valueFrom?.configMapKeyRef;
        const sec = e.valueFrom?.secretKeyRef;
        if (cm && !have.has(key('ConfigMap', ns, cm.name)))
          problem(o, `${at}/env/${ei}`, `ConfigMap ${cm.name} is not in the bundle.`);
        if (sec && !have.has(key('Secret', ns, sec.name)))
          problem(o, `${at}/env/${ei}`, `Secret ${sec.name} is not in the bundle.`);
      });
      const ports = c.ports ?? [];
      for (const [probeName, probe] of [
        ['readinessProbe', c.readinessProbe],
        ['livenessProbe', c.livenessProbe],
      ] as const) {
        const port = probe?.httpGet?.port ?? probe?.tcpSocket?.port;
        if (port === undefined) continue;
        const ok =
          typeof port === 'string'
            ? ports.some((p) => p.name === port)
            : ports.some((p) => p.containerPort === port);
        if (!ok)
          problem(o, `${at}/${probeName}`, `probes port ${port}, which the container does not declare.`);
      }
    });
  }

  for (const svc of objects.filter((o) => o.kind === 'Service')) {
    const spec = svc.spec as {
      selector?: Record<string, string>;
      ports?: { port: number; targetPort?: number | string }[];
    };
    const targets = ws.filter(
      (w) =>
        w.object.metadata.namespace === svc.metadata.namespace &&
        spec.selector &&
        matches(spec.selector, w.podLabels),
    );
    if (targets.length === 0) {
      problem(svc, '/spec/selector', 'selects no pod of any workload in the bundle.');
      continue;
    }
    (spec.ports ?? []).forEach((p, i) => {
      const target = p.targetPort ?? p.port;
      const found = targets.some((w) =>
        (w.pod.containers ?? []).some((c) =>
          (c.ports ?? []).some((cp) =>
            typeof target === 'string' ? cp.name === target : cp.containerPort === target,
          ),
        ),
      );
      if (!found)
        problem(svc, `/spec/ports/${i}`, `targets port ${target}, which no selected container declares.`);
    });
  }

  // A NetworkPolicy that selects nothing protects nothing; one whose peers or ports match nothing blocks traffic
  // the stack needs.
  for (const np of objects.filter((o) => o.kind === 'NetworkPolicy')) {
    const spec = np.spec as {
      podSelector?: { matchLabels?: Record<string, string> };
      ingress?: {
        ports?: { port?: number | string }[];
        from?: {
          podSelector?: { matchLabels?: Record<string, string> };
          namespaceSelector?: { matchLabels?: Record<string, string> };
        }[];
      }[];
    };
    const inNs = (ns: string | undefined, selector: Record<string, string>) =>
      ws.filter((w) => w.object.metadata.namespace === ns && matches(selector, w.podLabels));
    const selector = spec.podSelector?.matchLabels ?? {};
    const selected = inNs(np.metadata.namespace, selector);
    if (Object.keys(selector).length > 0 && selected.length === 0) {
      problem(np, '/spec/podSelector', 'selects no pod of any workload in the bundle.');
      continue;
    }
    (spec.ingress ?? []).forEach((rule, ri) => {
      (rule.ports ?? []).forEach((p, pi) => {
        if (p.port === undefined || Object.keys(selector).length === 0) return;
        const declared = selected.some((w) =>
          (w.pod.containers ?? []).some((c) =>
            (c.ports ?? []).some((cp) =>
              typeof p.port === 'string' ? cp.name === p.port : cp.containerPort === p.port,
            ),
          ),
        );
        if (!declared)
          problem(
            np,
            `/spec/ingress/${ri}/ports/${pi}`,
            `allows port ${p.port}, which no selected container declares.`,
          );
      });
      (rule.from ?? []).forEach((peer, fi) => {
        const podSel = peer.podSelector?.matchLabels;
        const nsLabels = peer.namespaceSelector?.matchLabels;
        if (!podSel || Object.keys(podSel).length === 0) return;
        // Only a peer in one named namespace (or the policy's own) can be checked against the bundle.
        if (nsLabels && Object.keys(nsLabels).some((k) => k !== 'kubernetes.io/metadata.name')) return;
        const ns = nsLabels?.['kubernetes.io/metadata.name'] ?? np.metadata.namespace;
        if (inNs(ns, podSel).length === 0)
          problem(
            np,
            `/spec/ingress/${ri}/from/${fi}`,
            `admits pods that no workload in namespace ${ns} has.`,
          );
      });
    });
  }

  for (const b of objects.filter((o) => o.kind === 'ClusterRoleBinding' || o.kind === 'RoleBinding')) {
    const roleRef = b.roleRef as { kind: string; name: string };
    const roleNs = roleRef.kind === 'ClusterRole' ? undefined : b.metadata.namespace;
    if (!have.has(key(roleRef.kind, roleNs, roleRef.name)))
      problem(b, '/roleRef', `${roleRef.kind} ${roleRef.name} is not in the bundle.`);
    ((b.subjects as { kind: string; name: string; namespace?: string }[]) ?? []).forEach((s, i) => {
      if (
        s.kind === 'ServiceAccount' &&
        !have.has(key('ServiceAccount', s.namespace ?? b.metadata.namespace, s.name))
      ) {
        problem(b, `/subjects/${i}`, `ServiceAccount ${s.namespace}/${s.name} is not in the bundle.`);
      }
    });
  }

  // OTLP endpoints must be the collector Service on one of its ports.
  const collectorSvc = objects.find((o) => o.kind === 'Service' && o.metadata.name === COLLECTOR_NAME);
  const collectorPorts = new Set(
    ((collectorSvc?.spec as { ports?: { port: number }[] })?.ports ?? []).map((p) => p.port),
  );
  const collectorNs = collectorSvc?.metadata.namespace;
  const resolves = (endpoint: string): boolean => {
    if (!collectorSvc) return false;
    let host: string;
    let port: number;
    try {
      const url = new URL(endpoint.includes('://') ? endpoint : `grpc://${endpoint}`);
      host = url.hostname;
      port = Number(url.port);
    } catch {
      return false;
    }
    const names = [
      `${COLLECTOR_NAME}.${collectorNs}.svc.cluster.local`,
      `${COLLECTOR_NAME}.${collectorNs}.svc`,
      `${COLLECTOR_NAME}.${collectorNs}`,
    ];
    return names.includes(host) && collectorPorts.has(port);
  };
  const checkEndpoint = (o: KubeObject, path: string, endpoint: string) => {
    if (!resolves(endpoint)) {
      problem(
        o,
        path,
        `OTLP endpoint ${endpoint} does not resolve to the ${COLLECTOR_NAME} Service and one of its ports.`,
      );
    }
  };
  // The gateway's OTLP receivers must listen on every pod interface (not the localhost default of Collector
  // v0.110+), on ports its container declares, or the Service forwards to nothing.
  const gatewayListens = (cm: KubeObject, path: string, config: unknown) => {
    const protocols = (
      config as { receivers?: { otlp?: { protocols?: Record<string, { endpoint?: string }> } } }
    )?.receivers?.otlp?.protocols;
    const gateway = ws.find(
      (w) =>
        w.object.metadata.name === COLLECTOR_NAME && w.object.metadata.namespace === cm.metadata.namespace,
    );
    const declared = new Set(
      (gateway?.pod.containers ?? []).flatMap((c) => (c.ports ?? []).map((p) => p.containerPort)),
    );
    for (const [protocol, { endpoint } = {}] of Object.entries(protocols ?? {})) {
      const [host, port] = (endpoint ?? '').split(':');
      if (host !== '0.0.0.0' && host !== '[::]') {
        problem(
          cm,
          path,
          `otlp ${protocol} receiver listens on '${endpoint ?? 'the default (localhost)'}'; bind 0.0.0.0 so the Service reaches it.`,
        );
      } else if (!declared.has(Number(port))) {
        problem(
          cm,
          path,
          `otlp ${protocol} receiver port ${port} is not a port of the ${COLLECTOR_NAME} container.`,
        );
      }
    }
  };
  const isGatewayConfig = (cm: KubeObject) => cm.metadata.name === COLLECTOR_NAME;
  for (const cm of objects.filter((o) => o.kind === 'ConfigMap')) {
    for (const [file, text] of Object.entries((cm.data as Record<string, string>) ?? {})) {
      if (file.endsWith('.pxl')) {
        for (const m of text.matchAll(PXL_ENDPOINT)) checkEndpoint(cm, `/data/${file}`, m[1]);
      } else if (/\.ya?ml$/.test(file)) {
        const config = parse(text);
        if (config && typeof config === 'object' && 'service' in config && 'receivers' in config) {
          for (const message of collectorConfigProblems(config)) problem(cm, `/data/${file}`, message);
        }
        if (isGatewayConfig(cm)) gatewayListens(cm, `/data/${file}`, config);
        else for (const e of configEndpoints(config)) checkEndpoint(cm, `/data/${file}`, e);
      }
    }
  }
  for (const { object: o, pod } of ws) {
    for (const [ci, c] of (pod.containers ?? []).entries()) {
      for (const [ei, e] of (c.env ?? []).entries()) {
        if (OTLP_ENV.test(e.name) && e.value !== undefined) {
          checkEndpoint(o, `/spec/template/spec/containers/${ci}/env/${ei}`, e.value);
        }
      }
    }
  }
  return problems;
}
