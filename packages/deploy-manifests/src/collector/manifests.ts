import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import {
  assertInteger,
  assertKnownKeys,
  assertOneOf,
  assertResources,
  COMMON_KEYS,
  type CommonOptions,
  componentLabels,
  imageTag,
  type Resources,
  resolveCommon,
  selectorLabels,
  toResourceRequirements,
} from '../common.js';
import { ManifestError } from '../errors.js';
import { allowIngress } from '../network-policy.js';
import { IMAGES } from '../versions.js';
import { serverDeployment } from '../workload.js';
import { configYaml } from '../yaml.js';
import { gatewayConfig, HEALTH_PORT, parseEndpoint } from './config.js';
import { COLLECTOR_NAME, OTLP_GRPC_PORT, OTLP_HTTP_PORT } from './endpoints.js';

/** Options of {@link collector}. */
export interface CollectorOptions extends CommonOptions {
  /** The user's OTLP backend, `http(s)://host:port`; required. */
  otlpEndpoint: string;
  /** Protocol the backend speaks. Default `grpc`. */
  protocol?: 'grpc' | 'http';
  /** Headers sent to the backend (e.g. an API key); stored in a generated Secret, never in the ConfigMap. */
  headers?: Record<string, string>;
  /** Collector replicas. Default 1; range 1-20. */
  replicas?: number;
  /** Container resources. Default requests 100m/256Mi, limits 1 CPU/1Gi. */
  resources?: Resources;
  /** Image override. Default {@link IMAGES}.collector. */
  image?: string;
  /** OTLP/HTTP base URL of a Vigil that receives the metrics as well (set by `stack({ vigil })`). */
  vigilEndpoint?: string;
}

/** The typed objects {@link collector} returns. */
export type CollectorObject =
  | IServiceAccount
  | IConfigMap
  | ISecret
  | IDeployment
  | IService
  | INetworkPolicy;

const KNOWN = [
  ...COMMON_KEYS,
  'otlpEndpoint',
  'protocol',
  'headers',
  'replicas',
  'resources',
  'image',
  'vigilEndpoint',
] as const;
const HEADER_NAME = /^[A-Za-z0-9-]+$/;

/**
 * The OpenTelemetry Collector gateway: a Deployment (k8s distribution) receiving OTLP on 4317/4318 from every
 * tool in the stack and exporting to `otlpEndpoint`, with its ServiceAccount (no API token: the gateway never
 * calls the Kubernetes API), ConfigMap, Service, a NetworkPolicy that lets in only the OTLP ports, and, when
 * headers are given, a Secret. The pod passes the `restricted` Pod Security profile.
 *
 * @throws {ManifestError} `INVALID_OPTION` naming the field for a bad endpoint, protocol, header or quantity.
 * @see https://opentelemetry.io/docs/collector/deployment/gateway/
 * @example
 * const objects = collector({ namespace: 'obs', otlpEndpoint: 'https://otlp.example.com:4317' });
 * objects.map((o) => o.kind) // ['ServiceAccount', 'ConfigMap', 'Deployment', 'Service', 'NetworkPolicy']
 */
export function collector(options: CollectorOptions): CollectorObject[] {
  assertKnownKeys('collector', options, KNOWN);
  const common = resolveCommon(options, 'collector');
  parseEndpoint('collector.otlpEndpoint', options.otlpEndpoint);
  const protocol = options.protocol ?? 'grpc';
  assertOneOf('collector.protocol', protocol, ['grpc', 'http']);
  const replicas = options.replicas ?? 1;
  assertInteger('collector.replicas', replicas, 1, 20);
  const resources = options.resources ?? {
    requests: { cpu: '100m', memory: '256Mi' },
    limits: { cpu: '1', memory: '1Gi' },
  };
  assertResources('collector.resources', resources);
  const headers = options.headers ?? {};
  const headerEnv: Record<string, string> = {};
  Object.keys(headers).forEach((h, i) => {
    if (!HEADER_NAME.test(h) || typeof headers[h] !== 'string') {
      throw new ManifestError(
        'INVALID_OPTION',
        'header names must be letters, digits and -, and values strings.',
        { field: `collector.headers.${h}` },
      );
    }
    headerEnv[h] = `OTLP_HEADER_${i}`;
  });
  const image = options.image ?? IMAGES.collector;
  const labels = componentLabels(common, COLLECTOR_NAME, 'collector', imageTag(image));
  const meta = (name: string) => ({ name, namespace: common.namespace, labels });
  const secretName = `${COLLECTOR_NAME}-headers`;

  if (options.vigilEndpoint !== undefined) parseEndpoint('collector.vigilEndpoint', options.vigilEndpoint);
  const config = gatewayConfig({
    endpoint: options.otlpEndpoint,
    protocol,
    headerEnv,
    ...(options.vigilEndpoint ? { vigil: options.vigilEndpoint } : {}),
  });
  const objects: CollectorObject[] = [
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: meta(COLLECTOR_NAME),
      automountServiceAccountToken: false,
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta(COLLECTOR_NAME),
      data: { 'collector.yaml': configYaml(config) },
    },
  ];
  if (Object.keys(headers).length > 0) {
    objects.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta(secretName),
      type: 'Opaque',
      stringData: Object.fromEntries(Object.entries(headers).map(([h, v]) => [headerEnv[h], v])),
    });
  }
  objects.push(
    serverDeployment({
      name: COLLECTOR_NAME,
      common,
      labels,
      replicas,
      uid: 10001,
      container: {
        name: 'otel-collector',
        image,
        args: ['--config=/conf/collector.yaml'],
        ports: [
          { name: 'otlp-grpc', containerPort: OTLP_GRPC_PORT, protocol: 'TCP' },
          { name: 'otlp-http', containerPort: OTLP_HTTP_PORT, protocol: 'TCP' },
          { name: 'health', containerPort: HEALTH_PORT, protocol: 'TCP' },
        ],
        env: Object.values(headerEnv).map((name) => ({
          name,
          valueFrom: { secretKeyRef: { name: secretName, key: name } },
        })),
        // The memory_limiter's percentages are of this limit, so the limit must exist.
        resources: toResourceRequirements(resources),
        readinessProbe: { httpGet: { path: '/', port: 'health' } },
        livenessProbe: { httpGet: { path: '/', port: 'health' } },
        volumeMounts: [{ name: 'config', mountPath: '/conf', readOnly: true }],
      },
      volumes: [{ name: 'config', configMap: { name: COLLECTOR_NAME } }],
    }),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(COLLECTOR_NAME),
      spec: {
        type: 'ClusterIP',
        selector: selectorLabels(COLLECTOR_NAME),
        ports: [
          {
            name: 'otlp-grpc',
            port: OTLP_GRPC_PORT,
            targetPort: 'otlp-grpc',
            protocol: 'TCP',
            appProtocol: 'grpc',
          },
          {
            name: 'otlp-http',
            port: OTLP_HTTP_PORT,
            targetPort: 'otlp-http',
            protocol: 'TCP',
            appProtocol: 'http',
          },
        ],
      },
    },
    // Senders on the host network (Tetragon, Pixie's PEMs) arrive from node addresses, so the OTLP ports are
    // open to any source; everything else (the health port) is reachable only from the node (kubelet probes).
    allowIngress(COLLECTOR_NAME, common.namespace, labels, [{ ports: ['otlp-grpc', 'otlp-http'] }]),
  );
  return objects;
}
