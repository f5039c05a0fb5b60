import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/** Files of the OTLP metrics definitions, relative to the proto folder. */
export const METRICS_SERVICE_PROTO = 'opentelemetry/proto/collector/metrics/v1/metrics_service.proto';
const STATUS_PROTO = 'google/rpc/status.proto';

/**
 * The package's `proto/` folder: next to `dist/` once built, two levels up from `src/otlp/` when run from source.
 * Walking up keeps one answer for both layouts and for the CJS build.
 */
export function protoDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let k = 0; k < 5; k++) {
    if (existsSync(join(dir, 'proto', METRICS_SERVICE_PROTO))) return join(dir, 'proto');
    dir = dirname(dir);
  }
  throw new Error(`@vigil/server: cannot find its proto/ folder above ${fileURLToPath(import.meta.url)}`);
}

/** The protobuf message types of OTLP metrics export (protobufjs), for clients and tools. */
export interface OtlpTypes {
  readonly request: protobuf.Type;
  readonly response: protobuf.Type;
  readonly status: protobuf.Type;
}

let types: OtlpTypes | undefined;

/** The protobuf message types of OTLP metrics export, loaded once. */
export function otlpTypes(): OtlpTypes {
  if (types) return types;
  const dir = protoDir();
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(dir, target);
  root.loadSync([METRICS_SERVICE_PROTO, STATUS_PROTO], { keepCase: false });
  types = {
    request: root.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest'),
    response: root.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse'),
    status: root.lookupType('google.rpc.Status'),
  };
  return types;
}
