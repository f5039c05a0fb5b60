import { assertDnsLabel, assertOneOf } from '../common.js';
import { ManifestError } from '../errors.js';

/** Instrumentations Beyla/OBI can enable, as named in their configuration schema. */
export const BEYLA_INSTRUMENTATIONS = [
  '*',
  'http',
  'grpc',
  'sql',
  'redis',
  'kafka',
  'mongo',
  'mqtt',
  'couchbase',
  'dns',
  'gpu',
] as const;
/** Metric feature families Beyla/OBI can export. */
export const BEYLA_METRIC_FEATURES = [
  'application',
  'application_span',
  'application_service_graph',
  'application_host',
  'network',
] as const;
/** OTLP protocols Beyla/OBI can export with. */
export const BEYLA_PROTOCOLS = ['http/protobuf', 'grpc'] as const;

/** Inputs of {@link beylaConfig}. */
export interface BeylaConfigOptions {
  /** OTLP endpoint for metrics and traces (`http://host:port`). */
  endpoint: string;
  /** OTLP protocol. Default `http/protobuf` (port 4318). */
  protocol?: (typeof BEYLA_PROTOCOLS)[number];
  /** Kubernetes namespaces to instrument (globs allowed). Default `['*']`. */
  namespaces?: string[];
  /** Namespaces never instrumented. Default `['kube-system']` plus the stack's own namespace. */
  excludeNamespaces?: string[];
  /** Instrumentations for metrics and traces. Default `['*']`. */
  instrumentations?: (typeof BEYLA_INSTRUMENTATIONS)[number][];
  /** Metric families. Default `['application', 'application_service_graph']`. */
  metricFeatures?: (typeof BEYLA_METRIC_FEATURES)[number][];
  /** Decorate telemetry with Kubernetes metadata (pod, deployment, namespace...). Default true. */
  kubernetesMetadata?: boolean;
  /** Cluster name attribute; default: detected from the cloud provider by Beyla. */
  clusterName?: string;
}

/**
 * Beyla's (and OBI's) own YAML configuration as an object: service discovery by Kubernetes namespace,
 * OTLP metrics and traces export, and Kubernetes metadata decoration. Keys follow the OBI config JSON Schema.
 *
 * @throws {ManifestError} `INVALID_OPTION` for an unknown instrumentation, feature or protocol, or bad ports.
 * @see https://opentelemetry.io/docs/zero-code/obi/configure/
 * @example
 * beylaConfig({ endpoint: 'http://otel-collector.obs.svc.cluster.local:4318' }).otel_traces_export
 * // { endpoint: 'http://otel-collector.obs.svc.cluster.local:4318', protocol: 'http/protobuf', instrumentations: ['*'] }
 */
export function beylaConfig(o: BeylaConfigOptions, field = 'beyla'): Record<string, unknown> {
  const protocol = o.protocol ?? 'http/protobuf';
  assertOneOf(`${field}.protocol`, protocol, BEYLA_PROTOCOLS);
  const instrumentations = o.instrumentations ?? ['*'];
  for (const [i, v] of instrumentations.entries()) {
    assertOneOf(`${field}.instrumentations[${i}]`, v, BEYLA_INSTRUMENTATIONS);
  }
  const features = o.metricFeatures ?? ['application', 'application_service_graph'];
  for (const [i, v] of features.entries())
    assertOneOf(`${field}.metricFeatures[${i}]`, v, BEYLA_METRIC_FEATURES);
  if (
    new Set(instrumentations).size !== instrumentations.length ||
    new Set(features).size !== features.length
  ) {
    throw new ManifestError('INVALID_OPTION', 'lists a value twice; list each once.', {
      field: `${field}.instrumentations`,
    });
  }
  const namespaces = o.namespaces ?? ['*'];
  const excluded = o.excludeNamespaces ?? ['kube-system'];
  for (const [name, list] of [
    ['namespaces', namespaces],
    ['excludeNamespaces', excluded],
  ] as const) {
    if (!Array.isArray(list) || list.some((n) => typeof n !== 'string' || !/^[a-z0-9*?.-]+$/.test(n))) {
      throw new ManifestError(
        'INVALID_OPTION',
        'must be an array of namespace names or globs (lower-case letters, digits, -, * and ?).',
        { field: `${field}.${name}` },
      );
    }
  }
  if (namespaces.length === 0) {
    throw new ManifestError('INVALID_OPTION', "is empty; list at least one, or '*'.", {
      field: `${field}.namespaces`,
    });
  }
  if (o.clusterName !== undefined) assertDnsLabel(`${field}.clusterName`, o.clusterName);

  const instrument = namespaces.map((ns) => ({ k8s_namespace: ns }));
  return {
    log_level: 'INFO',
    discovery: {
      instrument,
      exclude_instrument: excluded.map((ns) => ({ k8s_namespace: ns })),
    },
    attributes: {
      kubernetes: {
        enable: o.kubernetesMetadata === false ? 'false' : 'true',
        ...(o.clusterName ? { cluster_name: o.clusterName } : {}),
      },
    },
    metrics: { features },
    otel_metrics_export: { endpoint: o.endpoint, protocol, instrumentations },
    otel_traces_export: { endpoint: o.endpoint, protocol, instrumentations },
  };
}
