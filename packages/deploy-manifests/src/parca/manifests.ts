import type { IDaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import type { IClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import {
  assertDnsLabel,
  assertKnownKeys,
  assertOneOf,
  assertResources,
  COMMON_KEYS,
  type CommonOptions,
  componentLabels,
  imageTag,
  parseQuantity,
  podScheduling,
  type Resources,
  resolveCommon,
  selectorLabels,
  toResourceRequirements,
} from '../common.js';
import { ManifestError } from '../errors.js';
import { allowIngress, podsOf } from '../network-policy.js';
import { serviceAccountWithClusterRole } from '../rbac.js';
import { IMAGES } from '../versions.js';
import { serverDeployment } from '../workload.js';
import { configYaml } from '../yaml.js';

/** Parca server HTTP/gRPC port (the agent writes profiles to it). */
export const PARCA_PORT = 7070;
/** parca-agent's own HTTP port (metrics, pprof). */
export const PARCA_AGENT_PORT = 7071;

/** Options of {@link parca}. */
export interface ParcaOptions extends CommonOptions {
  /** In-memory profile storage of the server, a Kubernetes quantity ≥ 64Mi. Default `512Mi`. */
  storageActiveMemory?: string;
  /** Server container resources. Default requests 100m/256Mi, limit 1Gi (must exceed storageActiveMemory). */
  serverResources?: Resources;
  /** Agent container resources. Default requests 50m/128Mi, limit 512Mi. */
  agentResources?: Resources;
  /** Log level of both. Default `info`. */
  logLevel?: 'error' | 'warn' | 'info' | 'debug';
  /**
   * Namespace of the agent DaemonSet (privileged, host PID), when it is not `namespace`: `stack()` keeps the
   * server in its restricted namespace and the agent with the other eBPF agents. Default `namespace`.
   */
  agentNamespace?: string;
}

/** The typed objects {@link parca} returns. */
export type ParcaObject =
  | IServiceAccount
  | IClusterRole
  | IClusterRoleBinding
  | IConfigMap
  | IDeployment
  | IService
  | IDaemonSet
  | INetworkPolicy;

const KNOWN = [
  ...COMMON_KEYS,
  'storageActiveMemory',
  'serverResources',
  'agentResources',
  'logLevel',
  'agentNamespace',
] as const;

/**
 * Parca continuous profiling: the server (Deployment, Service, ConfigMap with filesystem object storage) and a
 * parca-agent DaemonSet on every node whose `--remote-store-address` is that Service. Profiles stay in Parca:
 * the OpenTelemetry profiles signal is not yet stable, so nothing here goes to the collector. The server runs
 * with the `restricted` Pod Security profile and no service-account token, behind a NetworkPolicy that lets in
 * only the agents (reach its UI with `kubectl port-forward svc/parca 7070`).
 *
 * @throws {ManifestError} `INVALID_OPTION` naming the field for bad quantities or log level.
 * @see https://www.parca.dev/docs/kubernetes
 * @example
 * parca({ namespace: 'obs' }).find((o) => o.kind === 'Service')?.spec?.ports?.[0].port // 7070
 */
export function parca(options: ParcaOptions = {}): ParcaObject[] {
  assertKnownKeys('parca', options, KNOWN);
  const common = resolveCommon(options, 'parca');
  const logLevel = options.logLevel ?? 'info';
  assertOneOf('parca.logLevel', logLevel, ['error', 'warn', 'info', 'debug']);
  const active = options.storageActiveMemory ?? '512Mi';
  const server = options.serverResources ?? {
    requests: { cpu: '100m', memory: '256Mi' },
    limits: { memory: '1Gi' },
  };
  const agent = options.agentResources ?? {
    requests: { cpu: '50m', memory: '128Mi' },
    limits: { memory: '512Mi' },
  };
  assertResources('parca.serverResources', server);
  assertResources('parca.agentResources', agent);
  let activeBytes: number;
  try {
    activeBytes = parseQuantity(active);
  } catch {
    throw new ManifestError(
      'INVALID_OPTION',
      `${JSON.stringify(active)} is not a quantity such as '512Mi'.`,
      { field: 'parca.storageActiveMemory' },
    );
  }
  if (activeBytes < 64 * 2 ** 20) {
    throw new ManifestError('INVALID_OPTION', 'must be at least 64Mi.', {
      field: 'parca.storageActiveMemory',
    });
  }
  const limit = server.limits?.memory;
  if (limit !== undefined && parseQuantity(limit) <= activeBytes) {
    throw new ManifestError(
      'INVALID_OPTION',
      `${active} does not fit under the server memory limit ${limit}; the pod would be OOM-killed. Raise the limit.`,
      { field: 'parca.storageActiveMemory' },
    );
  }
  const serverLabels = componentLabels(common, 'parca', 'profiling', imageTag(IMAGES.parca));
  const agentLabels = componentLabels(common, 'parca-agent', 'profiling', imageTag(IMAGES.parcaAgent));
  const ns = common.namespace;
  const agentNs = options.agentNamespace ?? ns;
  assertDnsLabel('parca.agentNamespace', agentNs);
  const config = {
    object_storage: { bucket: { type: 'FILESYSTEM', config: { directory: '/var/lib/parca' } } },
  };
  const hostMounts = [
    ['debugfs', '/sys/kernel/debug'],
    ['cgroup', '/sys/fs/cgroup'],
    ['bpffs', '/sys/fs/bpf'],
    ['modules', '/lib/modules'],
    ['boot', '/boot'],
  ] as const;

  return [
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'parca', namespace: ns, labels: serverLabels },
      automountServiceAccountToken: false,
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'parca', namespace: ns, labels: serverLabels },
      data: { 'parca.yaml': configYaml(config) },
    },
    serverDeployment({
      name: 'parca',
      common,
      labels: serverLabels,
      replicas: 1,
      // One replica owns the filesystem store; Recreate avoids two writers during a rollout.
      singleWriter: true,
      uid: 65534,
      container: {
        name: 'parca',
        image: IMAGES.parca,
        args: [
          '/parca',
          '--config-path=/etc/parca/parca.yaml',
          `--http-address=:${PARCA_PORT}`,
          `--log-level=${logLevel}`,
          `--storage-active-memory=${Math.round(activeBytes)}`,
        ],
        ports: [{ name: 'http', containerPort: PARCA_PORT, protocol: 'TCP' }],
        readinessProbe: { tcpSocket: { port: 'http' } },
        livenessProbe: { tcpSocket: { port: 'http' }, initialDelaySeconds: 10 },
        resources: toResourceRequirements(server),
        volumeMounts: [
          { name: 'config', mountPath: '/etc/parca', readOnly: true },
          { name: 'data', mountPath: '/var/lib/parca' },
        ],
      },
      volumes: [
        { name: 'config', configMap: { name: 'parca' } },
        { name: 'data', emptyDir: {} },
      ],
    }),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'parca', namespace: ns, labels: serverLabels },
      spec: {
        selector: selectorLabels('parca'),
        ports: [{ name: 'http', port: PARCA_PORT, targetPort: 'http', protocol: 'TCP', appProtocol: 'grpc' }],
      },
    },
    allowIngress('parca', ns, serverLabels, [
      { ports: ['http'], from: [podsOf('parca-agent', agentNs === ns ? undefined : agentNs)] },
    ]),
    ...serviceAccountWithClusterRole('parca-agent', agentNs, agentLabels, [
      { apiGroups: [''], resources: ['pods', 'nodes'], verbs: ['get', 'list', 'watch'] },
    ]),
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'parca-agent', namespace: agentNs, labels: agentLabels },
      spec: {
        selector: { matchLabels: selectorLabels('parca-agent') },
        template: {
          metadata: { labels: agentLabels },
          spec: {
            serviceAccountName: 'parca-agent',
            // The agent unwinds stacks of every process on the node, so it needs the host PID namespace.
            hostPID: true,
            ...podScheduling(common, true),
            containers: [
              {
                name: 'parca-agent',
                image: IMAGES.parcaAgent,
                // The upstream manifests pass the binary as the first argument: the image sets no entrypoint.
                args: [
                  '/bin/parca-agent',
                  '--node=$(NODE_NAME)',
                  `--remote-store-address=parca.${ns}.svc.cluster.local:${PARCA_PORT}`,
                  '--remote-store-insecure',
                  `--http-address=:${PARCA_AGENT_PORT}`,
                  `--log-level=${logLevel}`,
                ],
                env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
                ports: [{ name: 'http', containerPort: PARCA_AGENT_PORT, protocol: 'TCP' }],
                resources: toResourceRequirements(agent),
                securityContext: { privileged: true, readOnlyRootFilesystem: true },
                volumeMounts: [
                  { name: 'tmp', mountPath: '/tmp' },
                  ...hostMounts.map(([name, path]) => ({
                    name,
                    mountPath: path,
                    readOnly: name === 'modules' || name === 'boot',
                  })),
                ],
              },
            ],
            volumes: [
              { name: 'tmp', emptyDir: {} },
              ...hostMounts.map(([name, path]) => ({ name, hostPath: { path } })),
            ],
          },
        },
      },
    },
  ];
}
