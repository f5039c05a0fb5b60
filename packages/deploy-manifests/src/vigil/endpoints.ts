/** Name of Vigil's Deployment, Service, ConfigMap and ServiceAccount. */
export const VIGIL_NAME = 'vigil';
/** Vigil's OTLP/gRPC port. */
export const VIGIL_OTLP_GRPC_PORT = 4317;
/** Vigil's OTLP/HTTP port. */
export const VIGIL_OTLP_HTTP_PORT = 4318;
/** Vigil's admin port: /healthz, /readyz, /metrics. */
export const VIGIL_ADMIN_PORT = 9464;
/** Where Vigil keeps its detector snapshots in the container. */
export const VIGIL_STATE_DIR = '/var/lib/vigil';

/**
 * In-cluster OTLP/HTTP base URL of Vigil in `namespace`.
 *
 * @example
 * vigilUrl('obs') // 'http://vigil.obs.svc.cluster.local:4318'
 */
export function vigilUrl(namespace: string): string {
  return `http://${VIGIL_NAME}.${namespace}.svc.cluster.local:${VIGIL_OTLP_HTTP_PORT}`;
}
