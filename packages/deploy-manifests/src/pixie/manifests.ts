import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import { COLLECTOR_NAME, OTLP_GRPC_PORT } from '../collector/endpoints.js';
import {
  assertDnsLabel,
  assertKnownKeys,
  assertOneOf,
  assertResources,
  COMMON_KEYS,
  type CommonOptions,
  componentLabels,
  parseQuantity,
  type Resources,
  resolveCommon,
} from '../common.js';
import { ManifestError } from '../errors.js';
import { PIXIE_VIZIER_VERSION } from '../versions.js';
import { pxlScripts } from './pxl.js';

/** The Pixie `px.dev/v1alpha1` Vizier custom resource (the fields this package sets). */
export interface Vizier {
  apiVersion: 'px.dev/v1alpha1';
  kind: 'Vizier';
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  spec: {
    version: string;
    cloudAddr: string;
    clusterName: string;
    customDeployKeySecret: string;
    pemMemoryLimit: string;
    pemMemoryRequest?: string;
    dataAccess: 'Full' | 'Restricted';
    useEtcdOperator: boolean;
    disableAutoUpdate: boolean;
    pod?: {
      labels?: Record<string, string>;
      tolerations?: unknown[];
      resources?: Resources;
    };
  };
}

/** Options of {@link pixie}. */
export interface PixieOptions extends CommonOptions {
  /**
   * Deploy key from Pixie Cloud (`px deploy-key create`); Vizier cannot register without it. Stored in a Secret.
   * Required.
   */
  deployKey: string;
  /** Cluster name shown in Pixie Cloud; a DNS-1123 label. Required. */
  clusterName: string;
  /** Pixie Cloud address, `host:port`. Default `withpixie.ai:443` (Community Cloud); set yours if self-hosted. */
  cloudAddr?: string;
  /** Namespace of Vizier; Pixie's tooling assumes `pl`. Default `pl`. */
  pixieNamespace?: string;
  /** Namespace of the collector the PxL scripts export to. Default `namespace`. */
  collectorNamespace?: string;
  /** Memory limit of each PEM (the per-node agent), ≥ 1Gi. Default `2Gi`. */
  pemMemoryLimit?: string;
  /** `Restricted` hides request bodies and other PII. Default `Full`. */
  dataAccess?: 'Full' | 'Restricted';
  /** Resources of the non-PEM Vizier pods. Default none (Pixie's defaults). */
  resources?: Resources;
}

/** The typed objects {@link pixie} returns. */
export type PixieObject = ISecret | IConfigMap | Vizier;

const KNOWN = [
  ...COMMON_KEYS,
  'deployKey',
  'clusterName',
  'cloudAddr',
  'pixieNamespace',
  'collectorNamespace',
  'pemMemoryLimit',
  'dataAccess',
  'resources',
] as const;
const DEPLOY_SECRET = 'pl-deploy-secrets';

/**
 * Pixie: the `Vizier` custom resource the Pixie operator reconciles, the Secret holding the Pixie Cloud deploy
 * key it references, and a ConfigMap of PxL scripts that export metrics to the stack's collector over OTLP.
 * The operator itself (and the Vizier CRD) come from Pixie's installer (`px deploy` or the pixie-operator Helm
 * chart); Vizier registers with Pixie Cloud, so a cloud account and deploy key are required.
 *
 * @throws {ManifestError} `INVALID_OPTION` naming the field for a missing deploy key, bad names or memory.
 * @see https://docs.px.dev/installing-pixie/install-schemes/helm/
 * @example
 * pixie({ deployKey: 'px-dep-…', clusterName: 'prod' }).map((o) => o.kind) // ['Secret', 'Vizier', 'ConfigMap']
 */
export function pixie(options: PixieOptions): PixieObject[] {
  assertKnownKeys('pixie', options, KNOWN);
  const common = resolveCommon(options, 'pixie');
  if (typeof options.deployKey !== 'string' || options.deployKey.trim() === '') {
    throw new ManifestError(
      'INVALID_OPTION',
      'is required: Vizier registers with Pixie Cloud. Create one with `px deploy-key create` and pass it.',
      { field: 'pixie.deployKey' },
    );
  }
  assertDnsLabel('pixie.clusterName', options.clusterName);
  const ns = options.pixieNamespace ?? 'pl';
  assertDnsLabel('pixie.pixieNamespace', ns);
  const collectorNs = options.collectorNamespace ?? common.namespace;
  assertDnsLabel('pixie.collectorNamespace', collectorNs);
  const cloudAddr = options.cloudAddr ?? 'withpixie.ai:443';
  if (!/^[a-z0-9.-]+:\d{1,5}$/.test(cloudAddr)) {
    throw new ManifestError('INVALID_OPTION', `${JSON.stringify(cloudAddr)} must be host:port.`, {
      field: 'pixie.cloudAddr',
    });
  }
  const pem = options.pemMemoryLimit ?? '2Gi';
  let pemBytes: number;
  try {
    pemBytes = parseQuantity(pem);
  } catch {
    throw new ManifestError('INVALID_OPTION', `${JSON.stringify(pem)} is not a quantity.`, {
      field: 'pixie.pemMemoryLimit',
    });
  }
  if (pemBytes < 2 ** 30) {
    throw new ManifestError('INVALID_OPTION', `${pem} is below Pixie's 1Gi minimum per PEM.`, {
      field: 'pixie.pemMemoryLimit',
    });
  }
  const dataAccess = options.dataAccess ?? 'Full';
  assertOneOf('pixie.dataAccess', dataAccess, ['Full', 'Restricted']);
  if (options.resources) assertResources('pixie.resources', options.resources);
  const labels = componentLabels(common, 'pixie', 'ebpf-observability', PIXIE_VIZIER_VERSION);
  const tolerations = common.tolerations ?? [{ operator: 'Exists' }];

  const vizier: Vizier = {
    apiVersion: 'px.dev/v1alpha1',
    kind: 'Vizier',
    metadata: { name: 'vizier', namespace: ns, labels },
    spec: {
      version: PIXIE_VIZIER_VERSION,
      cloudAddr,
      clusterName: options.clusterName,
      customDeployKeySecret: DEPLOY_SECRET,
      pemMemoryLimit: pem,
      dataAccess,
      useEtcdOperator: false,
      // Vigil pins versions; upgrades go through a reviewed change, not the operator's auto-update.
      disableAutoUpdate: true,
      pod: {
        labels: common.labels,
        tolerations,
        ...(options.resources ? { resources: options.resources } : {}),
      },
    },
  };
  return [
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: DEPLOY_SECRET, namespace: ns, labels },
      type: 'Opaque',
      stringData: { 'deploy-key': options.deployKey },
    },
    vizier,
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'pixie-pxl-scripts', namespace: ns, labels },
      data: Object.fromEntries(
        Object.entries(
          pxlScripts(`${COLLECTOR_NAME}.${collectorNs}.svc.cluster.local:${OTLP_GRPC_PORT}`),
        ).map(([name, script]) => [`${name}.pxl`, script]),
      ),
    },
  ];
}
