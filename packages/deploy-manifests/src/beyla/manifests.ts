import type { IDaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import type { IClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import type { IClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { collectorUrl } from '../collector/endpoints.js';
import {
  assertDnsLabel,
  assertKnownKeys,
  assertOneOf,
  assertResources,
  COMMON_KEYS,
  type CommonOptions,
  componentLabels,
  imageTag,
  podScheduling,
  type Resources,
  resolveCommon,
  selectorLabels,
  toResourceRequirements,
} from '../common.js';
import { serviceAccountWithClusterRole } from '../rbac.js';
import { IMAGES } from '../versions.js';
import { configYaml } from '../yaml.js';
import { type BeylaConfigOptions, beylaConfig } from './config.js';

/** Which build of the instrumenter to run: Grafana Beyla, or upstream OpenTelemetry eBPF Instrumentation (OBI). */
export const BEYLA_DISTRIBUTIONS = ['beyla', 'obi'] as const;

/** Options of {@link beyla}. */
export interface BeylaOptions extends CommonOptions, Omit<BeylaConfigOptions, 'endpoint'> {
  /** Beyla or OBI; they share the configuration format. Default `beyla`. */
  distribution?: (typeof BEYLA_DISTRIBUTIONS)[number];
  /** OTLP endpoint; default the stack's collector Service on 4318 (or 4317 with protocol `grpc`). */
  endpoint?: string;
  /** Namespace of that collector, when it is not `namespace` (as in `stack()`). Default `namespace`. */
  collectorNamespace?: string;
  /** Add CAP_NET_ADMIN for trace-context propagation and tc-based network metrics. Default false. */
  contextPropagation?: boolean;
  /**
   * Run `privileged` instead of with the documented capabilities. Needed where the host has no BPF filesystem
   * mounted at /sys/fs/bpf or AppArmor cannot be set to unconfined. Default false.
   */
  privileged?: boolean;
  /** Container resources. Default requests 50m/128Mi, limit 512Mi. */
  resources?: Resources;
  /** Image override. Default the pinned Beyla or OBI image. */
  image?: string;
}

/** The typed objects {@link beyla} returns. */
export type BeylaObject = IServiceAccount | IClusterRole | IClusterRoleBinding | IConfigMap | IDaemonSet;

const KNOWN = [
  ...COMMON_KEYS,
  'distribution',
  'endpoint',
  'collectorNamespace',
  'protocol',
  'namespaces',
  'excludeNamespaces',
  'instrumentations',
  'metricFeatures',
  'kubernetesMetadata',
  'clusterName',
  'contextPropagation',
  'privileged',
  'resources',
  'image',
] as const;

/**
 * Linux capabilities Beyla documents for application observability (its "Capabilities by feature" table);
 * CAP_NET_ADMIN is added for context propagation. Running with these instead of `privileged` is the documented
 * least-privilege mode.
 */
export const BEYLA_CAPABILITIES = [
  'BPF',
  'CHECKPOINT_RESTORE',
  'DAC_READ_SEARCH',
  'NET_RAW',
  'PERFMON',
  'SYS_PTRACE',
] as const;

const CONFIG_FILE = 'beyla-config.yml';

/** Environment variable that names the config file, per distribution (Beyla kept its prefix; OBI uses OTEL_EBPF_). */
export function beylaConfigEnv(distribution: (typeof BEYLA_DISTRIBUTIONS)[number]): string {
  return distribution === 'obi' ? 'OTEL_EBPF_CONFIG_PATH' : 'BEYLA_CONFIG_PATH';
}

/**
 * Grafana Beyla (or OBI) as a DaemonSet: host PID namespace so it can see every process on the node, the
 * capabilities of Beyla's "Deploy Beyla unprivileged" guide (with AppArmor unconfined and the host's BPF
 * filesystem and cgroup tree mounted, since the container may not mount them itself), a ConfigMap with Beyla's
 * own config, and a ServiceAccount with the read-only RBAC its Kubernetes metadata decoration needs (pods,
 * services, nodes, replicasets).
 *
 * @throws {ManifestError} `INVALID_OPTION` naming the field for bad names, enums or quantities.
 * @see https://grafana.com/docs/beyla/latest/setup/kubernetes/
 * @example
 * const [sa, role, binding, cm, ds] = beyla({ namespace: 'obs' });
 * ds.spec.template.spec.hostPID // true
 */
export function beyla(options: BeylaOptions = {}): BeylaObject[] {
  assertKnownKeys('beyla', options, KNOWN);
  const common = resolveCommon(options, 'beyla');
  const distribution = options.distribution ?? 'beyla';
  assertOneOf('beyla.distribution', distribution, BEYLA_DISTRIBUTIONS);
  const protocol = options.protocol ?? 'http/protobuf';
  const collectorNs = options.collectorNamespace ?? common.namespace;
  assertDnsLabel('beyla.collectorNamespace', collectorNs);
  const endpoint = options.endpoint ?? collectorUrl(collectorNs, protocol === 'grpc' ? 'grpc' : 'http');
  const resources = options.resources ?? {
    requests: { cpu: '50m', memory: '128Mi' },
    limits: { memory: '512Mi' },
  };
  assertResources('beyla.resources', resources);
  const config = beylaConfig({
    endpoint,
    protocol,
    namespaces: options.namespaces,
    excludeNamespaces: options.excludeNamespaces ?? [
      'kube-system',
      ...new Set([common.namespace, collectorNs]),
    ],
    instrumentations: options.instrumentations,
    metricFeatures: options.metricFeatures,
    kubernetesMetadata: options.kubernetesMetadata,
    clusterName: options.clusterName,
  });
  const name = distribution;
  const image = options.image ?? (distribution === 'obi' ? IMAGES.obi : IMAGES.beyla);
  const labels = componentLabels(common, name, 'ebpf-instrumentation', imageTag(image));
  const meta = { name, namespace: common.namespace, labels };
  const capabilities = [...BEYLA_CAPABILITIES, ...(options.contextPropagation ? ['NET_ADMIN'] : [])];
  const privileged = options.privileged ?? false;

  return [
    ...serviceAccountWithClusterRole(name, common.namespace, labels, [
      { apiGroups: [''], resources: ['pods', 'services', 'nodes'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['get', 'list', 'watch'] },
    ]),
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta, data: { [CONFIG_FILE]: configYaml(config) } },
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: meta,
      spec: {
        selector: { matchLabels: selectorLabels(name) },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' } },
        template: {
          metadata: {
            labels,
            // Clusters before Kubernetes 1.30 read AppArmor from this annotation, not the securityContext field.
            ...(privileged
              ? {}
              : {
                  annotations: { [`container.apparmor.security.beta.kubernetes.io/${name}`]: 'unconfined' },
                }),
          },
          spec: {
            serviceAccountName: name,
            // Beyla must see the processes of every container on the node to attach its probes.
            hostPID: true,
            ...podScheduling(common, true),
            containers: [
              {
                name,
                image,
                env: [{ name: beylaConfigEnv(distribution), value: `/config/${CONFIG_FILE}` }],
                resources: toResourceRequirements(resources),
                securityContext: privileged
                  ? { privileged: true, runAsUser: 0, readOnlyRootFilesystem: true }
                  : {
                      runAsUser: 0,
                      readOnlyRootFilesystem: true,
                      capabilities: { add: capabilities, drop: ['ALL'] },
                      // The default AppArmor profile forbids writing /sys/fs/bpf, where Beyla pins its maps.
                      appArmorProfile: { type: 'Unconfined' },
                    },
                volumeMounts: [
                  { name: 'config', mountPath: '/config', readOnly: true },
                  { name: 'var-run-beyla', mountPath: '/var/run/beyla' },
                  { name: 'cgroup', mountPath: '/sys/fs/cgroup', readOnly: true },
                  { name: 'bpffs', mountPath: '/sys/fs/bpf', mountPropagation: 'HostToContainer' },
                ],
              },
            ],
            volumes: [
              { name: 'config', configMap: { name } },
              { name: 'var-run-beyla', emptyDir: {} },
              { name: 'cgroup', hostPath: { path: '/sys/fs/cgroup', type: 'Directory' } },
              { name: 'bpffs', hostPath: { path: '/sys/fs/bpf', type: 'Directory' } },
            ],
          },
        },
      },
    },
  ];
}
