/** Name of the collector Service every other tool exports to. */
export const COLLECTOR_NAME = 'otel-collector';
/** OTLP/gRPC port of the collector Service (the OTLP default). */
export const OTLP_GRPC_PORT = 4317;
/** OTLP/HTTP port of the collector Service (the OTLP default). */
export const OTLP_HTTP_PORT = 4318;

/**
 * In-cluster OTLP URL of the collector Service in `namespace`, for gRPC (4317) or HTTP (4318).
 *
 * @example
 * collectorUrl('obs', 'http') // 'http://otel-collector.obs.svc.cluster.local:4318'
 */
export function collectorUrl(namespace: string, protocol: 'grpc' | 'http'): string {
  const port = protocol === 'grpc' ? OTLP_GRPC_PORT : OTLP_HTTP_PORT;
  return `http://${COLLECTOR_NAME}.${namespace}.svc.cluster.local:${port}`;
}
