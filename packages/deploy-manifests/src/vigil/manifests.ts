import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { COLLECTOR_NAME } from '../collector/endpoints.js';
import {
  assertKnownKeys,
  assertOneOf,
  assertResources,
  COMMON_KEYS,
  type CommonOptions,
  componentLabels,
  imageTag,
  parseQuantity,
  type Resources,
  resolveCommon,
  selectorLabels,
  toResourceRequirements,
} from '../common.js';
import { ManifestError } from '../errors.js';
import { allowIngress, podsOf } from '../network-policy.js';
import { IMAGES } from '../versions.js';
import { serverDeployment } from '../workload.js';
import { configYaml } from '../yaml.js';
import {
  VIGIL_ADMIN_PORT,
  VIGIL_NAME,
  VIGIL_OTLP_GRPC_PORT,
  VIGIL_OTLP_HTTP_PORT,
  VIGIL_STATE_DIR,
} from './endpoints.js';

/** Options of {@link vigil}. */
export interface VigilOptions extends CommonOptions {
  /**
   * The rest of `vigil.yaml` (pipeline, maintenance, outputs, actions, …). Receivers, admin and state are set here
   * to the ports and paths the manifests expose; give them only to change limits (e.g. `receivers.maxSeries`).
   */
  config?: Record<string, unknown>;
  /** State volume: a PersistentVolumeClaim of this size (a quantity ≥ 64Mi), or `false` for an emptyDir (state lost when the pod moves). Default `1Gi`. */
  stateSize?: string | false;
  /** StorageClass of the state claim. Default: the cluster's default class. */
  storageClassName?: string;
  /** Container resources. Default requests 250m/512Mi, limits 2 CPU/2Gi. */
  resources?: Resources;
  /** Image override. Default {@link IMAGES}.vigil. */
  image?: string;
  /**
   * Who may send OTLP to Vigil (its NetworkPolicy): `'collector'`, only the OpenTelemetry Collector of the same
   * namespace (as `stack()` wires it), or `'any'` pod or node. Default `'any'`.
   */
  otlpClients?: 'collector' | 'any';
}

/** The typed objects {@link vigil} returns. */
export type VigilObject =
  | IServiceAccount
  | IConfigMap
  | IPersistentVolumeClaim
  | IDeployment
  | IService
  | INetworkPolicy;

const KNOWN = [
  ...COMMON_KEYS,
  'config',
  'stateSize',
  'storageClassName',
  'resources',
  'image',
  'otlpClients',
] as const;
const FIXED_SECTIONS = ['admin', 'state'] as const;

/**
 * Vigil as a service in the cluster (`vigil serve`): a Deployment with one replica (its state volume has one
 * writer, so rollouts recreate), a Service with OTLP/gRPC 4317, OTLP/HTTP 4318 and the admin port 9464, the
 * `vigil.yaml` ConfigMap, a PersistentVolumeClaim for detector snapshots, readiness on `/readyz` and liveness on
 * `/healthz`, the restricted Pod Security profile (non-root, read-only root filesystem, no capabilities,
 * RuntimeDefault seccomp), no service-account token, and a NetworkPolicy that lets in only the OTLP ports (from
 * the collector alone with `otlpClients: 'collector'`) and the admin port (for scrapers).
 *
 * @throws {ManifestError} `INVALID_OPTION` naming the field for a bad size, resources, or a config section the
 *   manifests own.
 * @example
 * vigil({ namespace: 'obs', config: { outputs: { alertmanager: { url: 'http://alertmanager:9093' } } } })
 *   .map((o) => o.kind) // ['ServiceAccount', 'ConfigMap', 'PersistentVolumeClaim', 'Deployment', 'Service', 'NetworkPolicy']
 */
export function vigil(options: VigilOptions = {}): VigilObject[] {
  assertKnownKeys('vigil', options, KNOWN);
  const common = resolveCommon(options, 'vigil');
  const user = options.config ?? {};
  if (typeof user !== 'object' || Array.isArray(user)) {
    throw new ManifestError('INVALID_OPTION', 'must be an object: the sections of vigil.yaml.', {
      field: 'vigil.config',
    });
  }
  for (const section of FIXED_SECTIONS) {
    if (section in user) {
      throw new ManifestError(
        'INVALID_OPTION',
        `is set by the manifests (ports and the state volume); remove it${section === 'state' ? ' and use stateSize' : ''}.`,
        { field: `vigil.config.${section}` },
      );
    }
  }
  const stateSize = options.stateSize ?? '1Gi';
  if (stateSize !== false) {
    let bytes = Number.NaN;
    try {
      bytes = parseQuantity(stateSize);
    } catch {}
    if (!(bytes >= 64 * 2 ** 20)) {
      throw new ManifestError(
        'INVALID_OPTION',
        `${JSON.stringify(stateSize)} must be a quantity of at least 64Mi, or false.`,
        { field: 'vigil.stateSize' },
      );
    }
  }
  const resources = options.resources ?? {
    requests: { cpu: '250m', memory: '512Mi' },
    limits: { cpu: '2', memory: '2Gi' },
  };
  assertResources('vigil.resources', resources);
  const otlpClients = options.otlpClients ?? 'any';
  assertOneOf('vigil.otlpClients', otlpClients, ['collector', 'any']);
  const image = options.image ?? IMAGES.vigil;
  const labels = componentLabels(common, VIGIL_NAME, 'anomaly-detection', imageTag(image));
  const meta = (name: string) => ({ name, namespace: common.namespace, labels });
  const receivers = (user.receivers ?? {}) as Record<string, Record<string, unknown>>;
  const config = {
    ...user,
    receivers: {
      ...receivers,
      otlpHttp: { ...receivers.otlpHttp, host: '0.0.0.0', port: VIGIL_OTLP_HTTP_PORT },
      otlpGrpc: { ...receivers.otlpGrpc, host: '0.0.0.0', port: VIGIL_OTLP_GRPC_PORT },
    },
    admin: { host: '0.0.0.0', port: VIGIL_ADMIN_PORT },
    state: { dir: VIGIL_STATE_DIR, intervalSeconds: 60 },
  };
  const objects: VigilObject[] = [
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: meta(VIGIL_NAME),
      automountServiceAccountToken: false,
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta(VIGIL_NAME),
      data: { 'vigil.yaml': configYaml(config) },
    },
  ];
  if (stateSize !== false) {
    objects.push({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: meta(`${VIGIL_NAME}-state`),
      spec: {
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: stateSize } },
        ...(options.storageClassName ? { storageClassName: options.storageClassName } : {}),
      },
    });
  }
  objects.push(
    serverDeployment({
      name: VIGIL_NAME,
      common,
      labels,
      replicas: 1,
      // One pod owns the state volume: the old one saves its snapshot on SIGTERM before the new one restores it.
      singleWriter: true,
      uid: 10001,
      // Time to save the snapshot after SIGTERM.
      terminationGracePeriodSeconds: 30,
      container: {
        name: 'vigil',
        image,
        args: ['serve', '--config', '/etc/vigil/vigil.yaml'],
        ports: [
          { name: 'otlp-grpc', containerPort: VIGIL_OTLP_GRPC_PORT, protocol: 'TCP' },
          { name: 'otlp-http', containerPort: VIGIL_OTLP_HTTP_PORT, protocol: 'TCP' },
          { name: 'admin', containerPort: VIGIL_ADMIN_PORT, protocol: 'TCP' },
        ],
        resources: toResourceRequirements(resources),
        readinessProbe: { httpGet: { path: '/readyz', port: 'admin' }, periodSeconds: 5 },
        livenessProbe: {
          httpGet: { path: '/healthz', port: 'admin' },
          initialDelaySeconds: 10,
          periodSeconds: 10,
        },
        volumeMounts: [
          { name: 'config', mountPath: '/etc/vigil', readOnly: true },
          { name: 'state', mountPath: VIGIL_STATE_DIR },
          { name: 'tmp', mountPath: '/tmp' },
        ],
      },
      volumes: [
        { name: 'config', configMap: { name: VIGIL_NAME } },
        stateSize === false
          ? { name: 'state', emptyDir: {} }
          : { name: 'state', persistentVolumeClaim: { claimName: `${VIGIL_NAME}-state` } },
        { name: 'tmp', emptyDir: {} },
      ],
    }),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(VIGIL_NAME),
      spec: {
        type: 'ClusterIP',
        selector: selectorLabels(VIGIL_NAME),
        ports: [
          {
            name: 'otlp-grpc',
            port: VIGIL_OTLP_GRPC_PORT,
            targetPort: 'otlp-grpc',
            protocol: 'TCP',
            appProtocol: 'grpc',
          },
          {
            name: 'otlp-http',
            port: VIGIL_OTLP_HTTP_PORT,
            targetPort: 'otlp-http',
            protocol: 'TCP',
            appProtocol: 'http',
          },
          {
            name: 'admin',
            port: VIGIL_ADMIN_PORT,
            targetPort: 'admin',
            protocol: 'TCP',
            appProtocol: 'http',
          },
        ],
      },
    },
    allowIngress(VIGIL_NAME, common.namespace, labels, [
      otlpClients === 'collector'
        ? { ports: ['otlp-grpc', 'otlp-http'], from: [podsOf(COLLECTOR_NAME)] }
        : { ports: ['otlp-grpc', 'otlp-http'] },
      { ports: ['admin'] },
    ]),
  );
  return objects;
}
