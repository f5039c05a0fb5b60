import type { INamespace } from 'kubernetes-models/v1/Namespace';
import { type BeylaOptions, beyla } from '../beyla/manifests.js';
import { type CollectorOptions, collector } from '../collector/manifests.js';
import {
  assertDnsLabel,
  assertKnownKeys,
  assertOneOf,
  COMMON_KEYS,
  type CommonOptions,
  type KubeObject,
  resolveCommon,
} from '../common.js';
import { ManifestError } from '../errors.js';
import { denyIngress } from '../network-policy.js';
import { type ParcaOptions, parca } from '../parca/manifests.js';
import { type PixieOptions, pixie } from '../pixie/manifests.js';
import { type TetragonOptions, tetragon } from '../tetragon/manifests.js';
import { POD_SECURITY_ENFORCE, type PodSecurityLevel } from '../validate/pod-security.js';
import { vigilUrl } from '../vigil/endpoints.js';
import { type VigilOptions, vigil } from '../vigil/manifests.js';

/** Tools `stack()` can deploy next to the collector. */
export const TOOLS = ['beyla', 'tetragon', 'parca', 'pixie'] as const;
/** A tool name. */
export type ToolName = (typeof TOOLS)[number];

type Own<T> = Omit<T, keyof CommonOptions>;

/** Options of {@link stack}. */
export interface StackOptions extends CommonOptions {
  /** The user's OTLP backend (`http(s)://host:port`); everything ends up there. Required. */
  otlpEndpoint: string;
  /**
   * Namespace of the eBPF node agents (Beyla, Tetragon, parca-agent), the one namespace labelled with the
   * `privileged` Pod Security level; `namespace` (the collector, Vigil, the Parca server) enforces `restricted`.
   * A DNS-1123 label different from `namespace`. Default `<namespace>-agents`.
   */
  agentNamespace?: string;
  /** Tools to deploy; the collector is always included. Default `['beyla', 'tetragon', 'parca']` (Pixie needs a cloud key). */
  tools?: ToolName[];
  /** Per-tool options; shared fields (namespace, labels, priority, tolerations) come from the stack. */
  collector?: Own<Omit<CollectorOptions, 'otlpEndpoint'>>;
  beyla?: Own<BeylaOptions>;
  tetragon?: Own<TetragonOptions>;
  parca?: Own<ParcaOptions>;
  pixie?: Own<PixieOptions>;
  /**
   * Deploy Vigil (`vigil serve`) next to the collector, which then exports metrics to Vigil as well as to the
   * backend: `true` for the defaults, or Vigil's options. Default: not deployed.
   */
  vigil?: Own<VigilOptions> | true;
}

/**
 * A generated stack: the namespaces, every object in apply order, and the objects grouped per tool
 * (`byTool.namespace` holds the Namespaces and their default-deny ingress NetworkPolicies).
 */
export interface Bundle {
  /** The restricted namespace of the collector and the servers. */
  namespace: string;
  /** The privileged namespace of the eBPF node agents. */
  agentNamespace: string;
  objects: KubeObject[];
  byTool: Record<'namespace' | 'collector' | ToolName | 'vigil', KubeObject[]>;
}

const KNOWN = [
  ...COMMON_KEYS,
  'otlpEndpoint',
  'agentNamespace',
  'tools',
  'collector',
  'beyla',
  'tetragon',
  'parca',
  'pixie',
  'vigil',
] as const;

// Pod Security Admission enforces `level` on every pod of the namespace; warn and audit at the same level, so
// that `kubectl apply` of a pod that would be rejected says so.
function namespaceObject(
  name: string,
  labels: Record<string, string>,
  level: PodSecurityLevel,
): INamespace & KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      labels: {
        ...labels,
        'app.kubernetes.io/part-of': 'vigil',
        [POD_SECURITY_ENFORCE]: level,
        'pod-security.kubernetes.io/warn': level,
        'pod-security.kubernetes.io/audit': level,
      },
    },
  };
}

/**
 * The whole eBPF observability stack in one call: the OpenTelemetry Collector gateway exporting to
 * `otlpEndpoint` and the chosen tools, with the same labels, priority class and tolerations, and every OTLP
 * sender pointed at the collector Service. Two namespaces keep privilege where it is needed: `namespace` enforces
 * the `restricted` Pod Security level and holds the collector and the servers (Vigil, the Parca server);
 * `agentNamespace` is `privileged` and holds the eBPF node agents (Beyla, Tetragon, parca-agent). Both isolate
 * their pods for ingress (a default-deny NetworkPolicy); each server's own policy lets in only its clients.
 *
 * @throws {ManifestError} `INVALID_OPTION` naming the field (e.g. `tools[1]`, `beyla.protocol`) with allowed values.
 * @example
 * const bundle = stack({ namespace: 'obs', otlpEndpoint: 'https://otlp.example.com:4317', tools: ['beyla'] });
 * bundle.byTool.beyla.map((o) => o.kind) // ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'DaemonSet']
 */
export function stack(options: StackOptions): Bundle {
  if (options === null || typeof options !== 'object') {
    throw new ManifestError('INVALID_OPTION', 'must be an object with at least otlpEndpoint.', {
      field: 'options',
    });
  }
  assertKnownKeys('', options, KNOWN);
  const common = resolveCommon(options);
  const agentNs = options.agentNamespace ?? `${common.namespace}-agents`;
  assertDnsLabel('agentNamespace', agentNs);
  if (agentNs === common.namespace) {
    throw new ManifestError(
      'INVALID_OPTION',
      `must differ from namespace: the agents need the 'privileged' Pod Security level, the collector and servers keep 'restricted'.`,
      { field: 'agentNamespace' },
    );
  }
  const shared: CommonOptions = {
    namespace: common.namespace,
    labels: common.labels,
    ...(common.priorityClassName ? { priorityClassName: common.priorityClassName } : {}),
    ...(common.tolerations ? { tolerations: common.tolerations } : {}),
  };
  const tools = options.tools ?? ['beyla', 'tetragon', 'parca'];
  if (!Array.isArray(tools))
    throw new ManifestError('INVALID_OPTION', 'must be an array.', { field: 'tools', allowed: TOOLS });
  for (const [i, t] of tools.entries()) assertOneOf(`tools[${i}]`, t, TOOLS);
  if (new Set(tools).size !== tools.length)
    throw new ManifestError('INVALID_OPTION', 'lists a tool twice.', { field: 'tools' });
  for (const t of TOOLS) {
    if (options[t] !== undefined && !tools.includes(t)) {
      throw new ManifestError(
        'INVALID_OPTION',
        `options are given but '${t}' is not in tools; add it or drop them.`,
        { field: t },
      );
    }
  }

  const agents: CommonOptions = { ...shared, namespace: agentNs };
  const byTool: Bundle['byTool'] = {
    namespace: [
      namespaceObject(common.namespace, common.labels, 'restricted'),
      namespaceObject(agentNs, common.labels, 'privileged'),
      denyIngress(common.namespace, common.labels) as KubeObject,
      denyIngress(agentNs, common.labels) as KubeObject,
    ],
    collector: collector({
      ...options.collector,
      ...shared,
      otlpEndpoint: options.otlpEndpoint,
      ...(options.vigil ? { vigilEndpoint: vigilUrl(common.namespace) } : {}),
    }) as KubeObject[],
    beyla: [],
    tetragon: [],
    parca: [],
    pixie: [],
    vigil: options.vigil
      ? (vigil({
          otlpClients: 'collector',
          ...(options.vigil === true ? {} : options.vigil),
          ...shared,
        }) as KubeObject[])
      : [],
  };
  const toCollector = { collectorNamespace: common.namespace };
  if (tools.includes('beyla'))
    byTool.beyla = beyla({ ...options.beyla, ...agents, ...toCollector }) as KubeObject[];
  if (tools.includes('tetragon'))
    byTool.tetragon = tetragon({ ...options.tetragon, ...agents, ...toCollector }) as KubeObject[];
  if (tools.includes('parca'))
    byTool.parca = parca({ ...options.parca, ...shared, agentNamespace: agentNs }) as KubeObject[];
  if (tools.includes('pixie')) {
    if (!options.pixie) {
      throw new ManifestError(
        'INVALID_OPTION',
        'needs { deployKey, clusterName } (Pixie registers with Pixie Cloud).',
        { field: 'pixie' },
      );
    }
    const px = pixie({ ...options.pixie, ...shared }) as KubeObject[];
    const pxNs = px[0].metadata.namespace!;
    if (pxNs === common.namespace || pxNs === agentNs) {
      throw new ManifestError(
        'INVALID_OPTION',
        `must differ from namespace and agentNamespace: Vizier's node agents need the 'privileged' Pod Security level, and its pods talk among themselves on ports its operator chooses, which the agents' default-deny NetworkPolicy would block.`,
        { field: 'pixie.pixieNamespace' },
      );
    }
    byTool.pixie = [namespaceObject(pxNs, common.labels, 'privileged'), ...px];
  }
  const objects = [
    ...byTool.namespace,
    ...byTool.collector,
    ...TOOLS.flatMap((t) => byTool[t]),
    ...byTool.vigil,
  ];
  return { namespace: common.namespace, agentNamespace: agentNs, objects, byTool };
}
