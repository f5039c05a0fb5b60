import { ManifestError } from '../errors.js';

/** Names of the bundled PxL scripts. */
export const PXL_SCRIPTS = ['http-metrics', 'network-metrics'] as const;

// PxL string literals are Python-like; the endpoint is generated, but refuse anything that could break out.
const HOST_PORT = /^[a-z0-9.-]+:\d{1,5}$/;

/**
 * PxL scripts that aggregate Pixie's eBPF tables (per-pod HTTP requests, errors and latency; per-pod TCP bytes)
 * over the last 10 s and export them as OTLP gauges to `endpoint` (`host:port`, gRPC, plaintext in-cluster).
 * Pixie runs such scripts on a schedule only through Pixie Cloud's plugin system, or on demand with `px run`.
 * Gauge arguments are limited to those Pixie documents (name, description, value, attributes).
 *
 * @throws {ManifestError} `INVALID_OPTION` unless `endpoint` is `host:port`.
 * @see https://docs.px.dev/reference/pxl/otel-export/
 * @example
 * pxlScripts('otel-collector.obs.svc.cluster.local:4317')['http-metrics'].includes('px.otel.Endpoint') // true
 */
export function pxlScripts(endpoint: string): Record<(typeof PXL_SCRIPTS)[number], string> {
  if (typeof endpoint !== 'string' || !HOST_PORT.test(endpoint)) {
    throw new ManifestError('INVALID_OPTION', `${JSON.stringify(endpoint)} must be host:port.`, {
      field: 'pixie.endpoint',
    });
  }
  const otelEndpoint = `px.otel.Endpoint(url='${endpoint}', insecure=True)`;
  // Every script reads one table, labels rows with their pod's Kubernetes context, aggregates per pod and
  // exports the aggregate as gauges with the same resource attributes.
  const script = (summary: string, table: string, aggregate: string, gauges: [string, string, string][]) =>
    `# ${summary}
import px

df = px.DataFrame(table='${table}', start_time='-10s')
df.namespace = df.ctx['namespace']
df.service = df.ctx['service']
df.pod = df.ctx['pod']
${aggregate}
px.export(df, px.otel.Data(
    endpoint=${otelEndpoint},
    resource={
        'service.name': df.service,
        'k8s.namespace.name': df.namespace,
        'k8s.pod.name': df.pod,
    },
    data=[
${gauges.map(([name, description, column]) => `        px.otel.metric.Gauge(name='${name}', description='${description}', value=df.${column}),`).join('\n')}
    ],
))
`;
  return {
    'http-metrics': script(
      'Per-pod HTTP request count, error count and mean latency over the last 10 s, exported as OTLP gauges.',
      'http_events',
      `df.is_error = df.resp_status >= 400
df = df.groupby(['namespace', 'service', 'pod']).agg(
    requests=('latency', px.count),
    errors=('is_error', px.sum),
    latency_mean_ns=('latency', px.mean),
    time_=('time_', px.max),
)
`,
      [
        ['pixie.http.requests', 'HTTP requests in the last 10 s', 'requests'],
        ['pixie.http.errors', 'HTTP responses >= 400 in the last 10 s', 'errors'],
        ['pixie.http.latency.mean', 'Mean HTTP latency, ns', 'latency_mean_ns'],
      ],
    ),
    'network-metrics': script(
      'Per-pod TCP bytes sent and received over the last 10 s, exported as OTLP gauges.',
      'conn_stats',
      `df = df.groupby(['namespace', 'service', 'pod', 'upid']).agg(
    bytes_sent_max=('bytes_sent', px.max),
    bytes_sent_min=('bytes_sent', px.min),
    bytes_recv_max=('bytes_recv', px.max),
    bytes_recv_min=('bytes_recv', px.min),
    time_=('time_', px.max),
)
# conn_stats counters are cumulative per process, so the window's traffic is max - min.
df.bytes_sent = df.bytes_sent_max - df.bytes_sent_min
df.bytes_recv = df.bytes_recv_max - df.bytes_recv_min
df = df.groupby(['namespace', 'service', 'pod']).agg(
    bytes_sent=('bytes_sent', px.sum),
    bytes_recv=('bytes_recv', px.sum),
    time_=('time_', px.max),
)
`,
      [
        ['pixie.net.bytes_sent', 'TCP bytes sent in the last 10 s', 'bytes_sent'],
        ['pixie.net.bytes_received', 'TCP bytes received in the last 10 s', 'bytes_recv'],
      ],
    ),
  };
}
