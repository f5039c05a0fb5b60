import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { diag } from '@opentelemetry/api';
import type { OtlpMetricsRequest } from '@vigil/core';
import type { MetricsIngest } from '../otlp/metrics-ingest.js';
import { METRICS_SERVICE_PROTO, protoDir } from '../otlp/proto-root.js';
import { Admission } from './admission.js';
import { unavailableWithRetry } from './retry-info.js';

/** Options of {@link startOtlpGrpcReceiver}. */
export interface OtlpGrpcReceiverOptions {
  /** Interface to bind. Default `'127.0.0.1'`; use `'0.0.0.0'` in a container. */
  host?: string;
  /** Port. Default 4317 (OTLP/gRPC); 0 picks a free one. */
  port?: number;
  /** Largest message after decompression, bytes (gRPC answers RESOURCE_EXHAUSTED past it). Default 8 MiB. */
  maxMessageBytes?: number;
  /** When set, calls must carry `authorization: Bearer <token>` metadata (else UNAUTHENTICATED). */
  bearerToken?: string;
  /** Seconds a client is asked to wait (`RetryInfo.retry_delay`) when points cannot be stored or Vigil is busy. Default 5. */
  retryAfterSeconds?: number;
}

/** A running OTLP/gRPC receiver. */
export interface OtlpGrpcReceiver {
  readonly server: grpc.Server;
  /** `host:port` it listens on. */
  readonly address: string;
  readonly port: number;
  /** Calls answered, by gRPC status code. */
  readonly byCode: Record<number, number>;
  /** While false, calls get UNAVAILABLE (clients retry). Default true. */
  ready: boolean;
  close(): Promise<void>;
}

interface ExportHandlers extends grpc.UntypedServiceImplementation {
  Export: grpc.handleUnaryCall<OtlpMetricsRequest, object>;
}

let service: grpc.ServiceDefinition | undefined;

/** The OTLP MetricsService definition, with messages converted to the OTLP/JSON object shape the translator reads. */
function metricsService(): grpc.ServiceDefinition {
  if (service) return service;
  const definition = loadSync(METRICS_SERVICE_PROTO, {
    includeDirs: [protoDir()],
    keepCase: false,
    longs: String,
    enums: Number,
    bytes: String,
    defaults: false,
    oneofs: false,
  });
  service = definition['opentelemetry.proto.collector.metrics.v1.MetricsService'] as grpc.ServiceDefinition;
  return service;
}

/**
 * Starts an OTLP/gRPC metrics receiver (`opentelemetry.proto.collector.metrics.v1.MetricsService/Export`), as the
 * OpenTelemetry SDK's gRPC exporter and the Collector's `otlp` exporter send it, gzip or not. Rejected points come
 * back as a partial success; errors use the codes OTLP clients act on (UNAVAILABLE — not ready, or back-pressure
 * while the pipeline's queue is over its bound — and RESOURCE_EXHAUSTED are retried, INVALID_ARGUMENT and
 * UNAUTHENTICATED are not).
 *
 * @example
 * const rx = await startOtlpGrpcReceiver(new MetricsIngest(pipeline), { host: '0.0.0.0', port: 4317 });
 */
export async function startOtlpGrpcReceiver(
  ingest: MetricsIngest,
  options: OtlpGrpcReceiverOptions = {},
): Promise<OtlpGrpcReceiver> {
  const maxMessageBytes = options.maxMessageBytes ?? 8 * 1024 * 1024;
  const server = new grpc.Server({
    'grpc.max_receive_message_length': maxMessageBytes,
  });
  const byCode: Record<number, number> = {};
  const retryAfter = options.retryAfterSeconds ?? 5;
  const gate = new Admission({
    bearerToken: options.bearerToken,
    overloaded: () => ingest.overloaded,
    unavailable: () => ingest.unavailable,
  });
  const count = (code: number) => {
    byCode[code] = (byCode[code] ?? 0) + 1;
  };
  const handlers: ExportHandlers = {
    Export: (call, callback) => {
      const internal = (e: unknown) => {
        diag.error(`vigil otlp/grpc: ${String((e as Error)?.stack ?? e)}`);
        count(grpc.status.INTERNAL);
        callback({
          code: grpc.status.INTERNAL,
          details: 'Internal error in the receiver; see the Vigil log.',
        });
      };
      try {
        const refused = gate.check(call.metadata.get('authorization')[0]?.toString());
        if (refused) {
          if (refused.refusal === 'unauthenticated') {
            count(grpc.status.UNAUTHENTICATED);
            callback({ code: grpc.status.UNAUTHENTICATED, details: refused.message });
            return;
          }
          // UNAVAILABLE is the status OTLP clients retry: not ready, store down, or back-pressure.
          count(grpc.status.UNAVAILABLE);
          callback(unavailableWithRetry(refused.message, retryAfter));
          return;
        }
        const request = call.request;
        // OK only once the points are stored (a cluster: JetStream's PubAck), so a crash cannot lose what a client
        // was told is safe.
        ingest
          .ingestStored(request, () => JSON.stringify(request))
          .then((result) => {
            if (!result.stored) {
              count(grpc.status.UNAVAILABLE);
              callback(
                unavailableWithRetry('Vigil could not store these points in time; retry.', retryAfter),
              );
              return;
            }
            count(grpc.status.OK);
            callback(
              null,
              result.rejected > 0
                ? {
                    partialSuccess: {
                      rejectedDataPoints: String(result.rejected),
                      errorMessage: result.errorMessage,
                    },
                  }
                : {},
            );
          })
          .catch(internal);
      } catch (e) {
        internal(e);
      }
    },
  };
  server.addService(metricsService(), handlers);
  const host = options.host ?? '127.0.0.1';
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${options.port ?? 4317}`, grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return gate.handle({ server, address: `${host}:${port}`, port, byCode }, () => {
    return new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  });
}
