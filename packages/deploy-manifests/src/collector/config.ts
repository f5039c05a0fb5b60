import { ManifestError } from '../errors.js';
import { OTLP_GRPC_PORT, OTLP_HTTP_PORT } from './endpoints.js';

/** Port of the collector's health_check extension, probed by Kubernetes. */
export const HEALTH_PORT = 13133;

/** Where the gateway collector sends everything it receives. */
export interface UpstreamExport {
  /** `http://` or `https://` URL of the user's OTLP backend; `http` turns TLS off. */
  endpoint: string;
  /** Wire protocol of the backend. Default `grpc`. */
  protocol: 'grpc' | 'http';
  /** Names of environment variables holding header values, keyed by header name (values come from a Secret). */
  headerEnv: Record<string, string>;
  /** OTLP/HTTP base URL of an in-cluster Vigil that receives the metrics too (a second exporter). */
  vigil?: string;
}

/** Parses and checks a user-supplied OTLP endpoint URL, so a typo fails at generation rather than in the pod. */
export function parseEndpoint(field: string, endpoint: unknown): URL {
  let url: URL;
  try {
    url = new URL(String(endpoint));
  } catch {
    throw new ManifestError(
      'INVALID_OPTION',
      `${JSON.stringify(endpoint)} is not a URL; write e.g. 'https://otlp.example.com:4317'.`,
      { field },
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ManifestError('INVALID_OPTION', `scheme '${url.protocol}' is not supported.`, {
      field,
      allowed: ['http', 'https'],
    });
  }
  return url;
}

/**
 * The gateway collector configuration: OTLP in on all pod interfaces (receivers bind localhost by default since
 * Collector v0.110, which would make the Service unreachable), memory limiting and batching, OTLP out to the user.
 */
export function gatewayConfig(upstream: UpstreamExport): Record<string, unknown> {
  const url = parseEndpoint('otlpEndpoint', upstream.endpoint);
  const headers = Object.fromEntries(
    Object.entries(upstream.headerEnv).map(([header, env]) => [header, `\${env:${env}}`]),
  );
  const insecure = url.protocol === 'http:';
  // The gRPC exporter takes host:port; the HTTP exporter takes the base URL and appends /v1/<signal>.
  const exporter =
    upstream.protocol === 'grpc'
      ? {
          endpoint: `${url.hostname}:${url.port || (insecure ? '80' : '443')}`,
          tls: { insecure },
        }
      : { endpoint: url.toString().replace(/\/$/, '') };
  const exporterName = upstream.protocol === 'grpc' ? 'otlp/upstream' : 'otlphttp/upstream';
  const pipeline = {
    receivers: ['otlp'],
    processors: ['memory_limiter', 'batch'],
    exporters: [exporterName],
  };
  // Vigil detects on metrics only; its exporter is plain OTLP/HTTP (protobuf, gzip: the otlphttp defaults).
  const metricsPipeline = upstream.vigil
    ? { ...pipeline, exporters: [exporterName, 'otlphttp/vigil'] }
    : pipeline;
  return {
    extensions: { health_check: { endpoint: `0.0.0.0:${HEALTH_PORT}` } },
    receivers: {
      otlp: {
        protocols: {
          grpc: { endpoint: `0.0.0.0:${OTLP_GRPC_PORT}` },
          http: { endpoint: `0.0.0.0:${OTLP_HTTP_PORT}` },
        },
      },
    },
    processors: {
      memory_limiter: { check_interval: '1s', limit_percentage: 80, spike_limit_percentage: 25 },
      batch: {},
    },
    exporters: {
      [exporterName]: { ...exporter, ...(Object.keys(headers).length > 0 ? { headers } : {}) },
      ...(upstream.vigil ? { 'otlphttp/vigil': { endpoint: upstream.vigil } } : {}),
    },
    service: {
      extensions: ['health_check'],
      pipelines: { traces: pipeline, metrics: metricsPipeline, logs: pipeline },
    },
  };
}

/** What a node-local forwarder collects: JSON-lines files to tail and Prometheus endpoints to scrape. */
export interface ForwarderSources {
  /** Absolute paths (globs allowed) of JSON-lines event files, e.g. Tetragon's export file. */
  jsonFiles: string[];
  /** `host:port` Prometheus targets, scraped every `scrapeInterval`. */
  scrapeTargets: string[];
  /** Prometheus job name for the scraped targets. */
  job: string;
  /** Scrape interval, Prometheus duration syntax. */
  scrapeInterval: string;
  /** In-cluster OTLP/gRPC URL of the gateway collector. */
  collectorGrpcUrl: string;
}

/**
 * A sidecar collector configuration for tools without OTLP export (Tetragon): the filelog receiver tails the
 * JSON event file and the prometheus receiver scrapes the metrics port; both exist only in the contrib and k8s
 * distributions, and both are forwarded as OTLP to the gateway.
 */
export function forwarderConfig(src: ForwarderSources): Record<string, unknown> {
  const gateway = new URL(src.collectorGrpcUrl);
  const exporter = { endpoint: `${gateway.hostname}:${gateway.port}`, tls: { insecure: true } };
  return {
    receivers: {
      filelog: {
        include: src.jsonFiles,
        // Tetragon rotates its export file; start at the end so a restart does not replay old events.
        start_at: 'end',
        operators: [{ type: 'json_parser', parse_from: 'body', parse_to: 'attributes' }],
      },
      prometheus: {
        config: {
          scrape_configs: [
            {
              job_name: src.job,
              scrape_interval: src.scrapeInterval,
              static_configs: [{ targets: src.scrapeTargets }],
            },
          ],
        },
      },
    },
    processors: { batch: {} },
    exporters: { 'otlp/gateway': exporter },
    // No health_check and no self-metrics endpoint: the sidecar shares Tetragon's host network, where a fixed
    // port (13133, 8888) could collide with other node software.
    service: {
      telemetry: { metrics: { level: 'none' } },
      pipelines: {
        logs: { receivers: ['filelog'], processors: ['batch'], exporters: ['otlp/gateway'] },
        metrics: { receivers: ['prometheus'], processors: ['batch'], exporters: ['otlp/gateway'] },
      },
    },
  };
}

const SIGNALS = ['traces', 'metrics', 'logs'];

/**
 * What the Collector itself would refuse at start-up, checked ahead: every pipeline is named after a signal
 * (`traces`, `metrics`, `logs`, optionally `/name`), has at least one receiver and exporter, and every component
 * a pipeline or `service.extensions` names is defined in its section. Returns one message per problem.
 *
 * @example
 * collectorConfigProblems({ receivers: {}, exporters: {}, service: { pipelines: { traces: { receivers: ['otlp'], exporters: ['x'] } } } })
 * // ['service.pipelines.traces.receivers: otlp is not defined in receivers', 'service.pipelines.traces.exporters: x is not defined in exporters']
 */
export function collectorConfigProblems(config: unknown): string[] {
  const problems: string[] = [];
  const c = (config ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const service = (c.service ?? {}) as {
    extensions?: string[];
    pipelines?: Record<string, { receivers?: string[]; processors?: string[]; exporters?: string[] }>;
  };
  const pipelines = service.pipelines ?? {};
  if (Object.keys(pipelines).length === 0) problems.push('service.pipelines: no pipeline is defined');
  for (const [name, p] of Object.entries(pipelines)) {
    if (!SIGNALS.includes(name.split('/')[0])) {
      problems.push(`service.pipelines.${name}: the signal must be one of ${SIGNALS.join(', ')}`);
    }
    for (const section of ['receivers', 'processors', 'exporters'] as const) {
      const used = p[section] ?? [];
      if (section !== 'processors' && used.length === 0) {
        problems.push(`service.pipelines.${name}.${section}: at least one is required`);
      }
      for (const id of used) {
        if (!(id in (c[section] ?? {})))
          problems.push(`service.pipelines.${name}.${section}: ${id} is not defined in ${section}`);
      }
    }
  }
  for (const id of service.extensions ?? []) {
    if (!(id in (c.extensions ?? {})))
      problems.push(`service.extensions: ${id} is not defined in extensions`);
  }
  return problems;
}
