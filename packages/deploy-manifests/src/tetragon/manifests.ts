import type { IDaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import type { IClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { forwarderConfig } from '../collector/config.js';
import { collectorUrl } from '../collector/endpoints.js';
import {
  assertDnsLabel,
  assertKnownKeys,
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
import { ManifestError } from '../errors.js';
import { serviceAccountWithClusterRole } from '../rbac.js';
import { IMAGES } from '../versions.js';
import { configYaml } from '../yaml.js';
import { libraryPolicy, POLICY_NAMES, type PolicyName } from './library.js';
import type { TracingPolicy, TracingPolicyNamespaced } from './types.js';

/** Options of {@link tetragon}. */
export interface TetragonOptions extends CommonOptions {
  /** Built-in policies to install. Default all three, observing only. */
  policies?: PolicyName[];
  /** Install the enforcing variants of `policies` (SIGKILL / syscall override). Default false. */
  enforce?: boolean;
  /** Extra policies, e.g. from {@link TracingPolicyBuilder}. */
  extraPolicies?: (TracingPolicy | TracingPolicyNamespaced)[];
  /** Forward events and metrics to the stack's collector with an OTel sidecar. Default true. */
  forwardToCollector?: boolean;
  /** Namespace of that collector, when it is not `namespace` (as in `stack()`). Default `namespace`. */
  collectorNamespace?: string;
  /** Agent container resources. Default requests 100m/256Mi, limit 1Gi. */
  resources?: Resources;
}

/** The typed objects {@link tetragon} returns. */
export type TetragonObject =
  | IServiceAccount
  | IClusterRole
  | IClusterRoleBinding
  | IConfigMap
  | IDaemonSet
  | IDeployment
  | TracingPolicy
  | TracingPolicyNamespaced;

/** Tetragon's Prometheus metrics port (`metrics-server`). */
export const TETRAGON_METRICS_PORT = 2112;
/** Directory and file Tetragon writes its JSON events to; Tetragon has no OTLP exporter. */
export const TETRAGON_EXPORT_DIR = '/var/run/cilium/tetragon';
const EXPORT_FILE = `${TETRAGON_EXPORT_DIR}/tetragon.log`;
const CONFIG_DIR = '/etc/tetragon/tetragon.conf.d/';
const HEALTH_PORT = 6789;
const OPERATOR_HEALTH_PORT = 8081;

const KNOWN = [
  ...COMMON_KEYS,
  'policies',
  'enforce',
  'extraPolicies',
  'forwardToCollector',
  'collectorNamespace',
  'resources',
] as const;

function withLabels<P extends TracingPolicy | TracingPolicyNamespaced>(
  p: P,
  labels: Record<string, string>,
): P {
  return {
    ...p,
    metadata: {
      ...p.metadata,
      labels: { ...labels, 'app.kubernetes.io/part-of': 'vigil', ...p.metadata.labels },
    },
  };
}

/**
 * Cilium Tetragon: the agent DaemonSet (privileged, host network and the host mounts its chart uses), its
 * configuration ConfigMap (one file per flag, read with `--config-dir`), the operator that registers the CRDs,
 * RBAC, the chosen policies and — because Tetragon exports events only as a JSON file and metrics only on a
 * Prometheus port — an OpenTelemetry Collector sidecar that tails the file (filelog receiver) and scrapes the
 * port (prometheus receiver) and forwards both as OTLP to the stack's collector.
 *
 * @throws {ManifestError} `INVALID_OPTION` naming the field for unknown policies or bad quantities.
 * @see https://tetragon.io/docs/installation/kubernetes/
 * @example
 * tetragon({ namespace: 'obs', policies: ['sensitive-files'] }).filter((o) => o.kind === 'TracingPolicy').length // 1
 */
export function tetragon(options: TetragonOptions = {}): TetragonObject[] {
  assertKnownKeys('tetragon', options, KNOWN);
  const common = resolveCommon(options, 'tetragon');
  const policies = options.policies ?? [...POLICY_NAMES];
  if (!Array.isArray(policies) || new Set(policies).size !== policies.length) {
    throw new ManifestError('INVALID_OPTION', 'must be a list of distinct policy names.', {
      field: 'tetragon.policies',
      allowed: POLICY_NAMES,
    });
  }
  const resources = options.resources ?? {
    requests: { cpu: '100m', memory: '256Mi' },
    limits: { memory: '1Gi' },
  };
  assertResources('tetragon.resources', resources);
  const forward = options.forwardToCollector ?? true;
  const collectorNs = options.collectorNamespace ?? common.namespace;
  assertDnsLabel('tetragon.collectorNamespace', collectorNs);
  const labels = componentLabels(common, 'tetragon', 'runtime-security', imageTag(IMAGES.tetragon));
  const opLabels = componentLabels(
    common,
    'tetragon-operator',
    'runtime-security',
    imageTag(IMAGES.tetragonOperator),
  );
  const meta = (name: string, l = labels) => ({ name, namespace: common.namespace, labels: l });
  const policyObjects = [
    ...policies.map((p, i) => {
      try {
        return libraryPolicy(p, { enforce: options.enforce ?? false, labels: common.labels });
      } catch (e) {
        if (e instanceof ManifestError)
          throw new ManifestError(e.code, e.message, {
            field: `tetragon.policies[${i}]`,
            allowed: e.allowed,
          });
        throw e;
      }
    }),
    // User-built policies join the bundle's labelling; their own labels win on conflict.
    ...(options.extraPolicies ?? []).map((p) => withLabels(p, common.labels)),
  ];
  const names = policyObjects.map(
    (p) => `${p.kind}/${'namespace' in p.metadata ? p.metadata.namespace : ''}/${p.metadata.name}`,
  );
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup)
    throw new ManifestError('INVALID_OPTION', `policy ${dup} appears twice; rename one.`, {
      field: 'tetragon.extraPolicies',
    });

  const config: Record<string, string> = {
    procfs: '/procRoot',
    'enable-k8s-api': 'true',
    'enable-process-cred': 'true',
    'enable-process-ns': 'true',
    // Needed for TracingPolicyNamespaced and podSelector to take effect.
    'enable-policy-filter': 'true',
    'enable-tracing-policy-crd': 'true',
    'export-filename': EXPORT_FILE,
    // Owner-only: events can carry secrets from process arguments. The forwarder reads as the same user (root).
    'export-file-perm': '600',
    'export-file-max-size-mb': '10',
    'export-file-max-backups': '5',
    'metrics-server': `:${TETRAGON_METRICS_PORT}`,
    'health-server-address': `:${HEALTH_PORT}`,
    'server-address': 'localhost:54321',
  };
  const sidecars = forward
    ? [
        {
          name: 'otel-forwarder',
          image: IMAGES.collector,
          args: ['--config=/conf/forwarder.yaml'],
          resources: { requests: { cpu: '20m', memory: '64Mi' }, limits: { memory: '256Mi' } },
          // Tetragon writes its export file as root with mode 600 (export-file-perm): the reader runs as the same
          // user, which needs no capability to read its own file.
          securityContext: {
            runAsUser: 0,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
          },
          volumeMounts: [
            { name: 'export-logs', mountPath: TETRAGON_EXPORT_DIR, readOnly: true },
            { name: 'forwarder-config', mountPath: '/conf', readOnly: true },
          ],
        },
      ]
    : [];
  const objects: TetragonObject[] = [
    ...serviceAccountWithClusterRole('tetragon', common.namespace, labels, [
      { apiGroups: [''], resources: ['pods', 'services', 'namespaces'], verbs: ['get', 'list', 'watch'] },
      {
        apiGroups: ['cilium.io'],
        resources: ['tracingpolicies', 'tracingpoliciesnamespaced', 'podinfo'],
        verbs: ['get', 'list', 'watch'],
      },
      {
        apiGroups: ['apiextensions.k8s.io'],
        resources: ['customresourcedefinitions'],
        verbs: ['get', 'list', 'watch'],
      },
    ]),
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('tetragon-config'), data: config },
  ];
  if (forward) {
    const fwd = forwarderConfig({
      jsonFiles: [EXPORT_FILE],
      scrapeTargets: [`localhost:${TETRAGON_METRICS_PORT}`],
      job: 'tetragon',
      scrapeInterval: '30s',
      collectorGrpcUrl: collectorUrl(collectorNs, 'grpc'),
    });
    objects.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta('tetragon-otel-forwarder'),
      data: { 'forwarder.yaml': configYaml(fwd) },
    });
  }
  objects.push(
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: meta('tetragon'),
      spec: {
        selector: { matchLabels: selectorLabels('tetragon') },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: 'tetragon',
            hostNetwork: true,
            dnsPolicy: 'ClusterFirstWithHostNet',
            ...podScheduling(common, true),
            terminationGracePeriodSeconds: 1,
            containers: [
              {
                name: 'tetragon',
                image: IMAGES.tetragon,
                args: [`--config-dir=${CONFIG_DIR}`],
                env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
                ports: [{ name: 'metrics', containerPort: TETRAGON_METRICS_PORT, protocol: 'TCP' }],
                // Loading BPF programs, reading every process's /proc and pinning maps needs full privilege.
                securityContext: { privileged: true },
                resources: toResourceRequirements(resources),
                livenessProbe: { grpc: { port: HEALTH_PORT, service: 'liveness' }, timeoutSeconds: 60 },
                volumeMounts: [
                  { name: 'tetragon-config', mountPath: CONFIG_DIR, readOnly: true },
                  { name: 'bpf-maps', mountPath: '/sys/fs/bpf', mountPropagation: 'Bidirectional' },
                  { name: 'cilium-run', mountPath: '/var/run/cilium' },
                  { name: 'export-logs', mountPath: TETRAGON_EXPORT_DIR },
                  { name: 'host-proc', mountPath: '/procRoot', readOnly: true },
                ],
              },
              ...sidecars,
            ],
            volumes: [
              { name: 'tetragon-config', configMap: { name: 'tetragon-config' } },
              { name: 'bpf-maps', hostPath: { path: '/sys/fs/bpf', type: 'DirectoryOrCreate' } },
              { name: 'cilium-run', hostPath: { path: '/var/run/cilium', type: 'DirectoryOrCreate' } },
              { name: 'export-logs', hostPath: { path: TETRAGON_EXPORT_DIR, type: 'DirectoryOrCreate' } },
              { name: 'host-proc', hostPath: { path: '/proc', type: 'Directory' } },
              ...(forward
                ? [{ name: 'forwarder-config', configMap: { name: 'tetragon-otel-forwarder' } }]
                : []),
            ],
          },
        },
      },
    },
    ...serviceAccountWithClusterRole('tetragon-operator', common.namespace, opLabels, [
      // Creating a CRD cannot be limited by name (it does not exist yet); everything else is limited to Tetragon's.
      { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: ['create'] },
      {
        apiGroups: ['apiextensions.k8s.io'],
        resources: ['customresourcedefinitions'],
        resourceNames: [
          'tracingpolicies.cilium.io',
          'tracingpoliciesnamespaced.cilium.io',
          'podinfo.cilium.io',
        ],
        verbs: ['get', 'list', 'watch', 'update'],
      },
      {
        apiGroups: ['cilium.io'],
        resources: ['podinfo'],
        verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
      },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
    ]),
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta('tetragon-operator', opLabels),
      spec: {
        replicas: 1,
        selector: { matchLabels: selectorLabels('tetragon-operator') },
        template: {
          metadata: { labels: opLabels },
          spec: {
            serviceAccountName: 'tetragon-operator',
            ...podScheduling(common, false),
            containers: [
              {
                name: 'tetragon-operator',
                image: IMAGES.tetragonOperator,
                command: ['/usr/bin/tetragon-operator'],
                args: ['serve'],
                ports: [{ name: 'health', containerPort: OPERATOR_HEALTH_PORT, protocol: 'TCP' }],
                livenessProbe: { httpGet: { path: '/healthz', port: 'health' }, initialDelaySeconds: 15 },
                readinessProbe: { httpGet: { path: '/readyz', port: 'health' }, initialDelaySeconds: 5 },
                resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '128Mi' } },
                securityContext: {
                  runAsNonRoot: true,
                  runAsUser: 65532,
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ['ALL'] },
                },
              },
            ],
          },
        },
      },
    },
    ...policyObjects,
  );
  return objects;
}
