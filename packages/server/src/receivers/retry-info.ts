import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';

/**
 * The three messages of the gRPC richer error model a retry hint needs (`google.rpc.Status`, `google.rpc.RetryInfo`,
 * `google.protobuf.Any`/`Duration`), declared here from their published field numbers rather than loaded from
 * .proto files the package does not ship.
 */
const root = protobuf.Root.fromJSON({
  nested: {
    google: {
      nested: {
        protobuf: {
          nested: {
            Any: { fields: { type_url: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } },
            Duration: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
          },
        },
        rpc: {
          nested: {
            Status: {
              fields: {
                code: { type: 'int32', id: 1 },
                message: { type: 'string', id: 2 },
                details: { rule: 'repeated', type: 'google.protobuf.Any', id: 3 },
              },
            },
            RetryInfo: { fields: { retry_delay: { type: 'google.protobuf.Duration', id: 1 } } },
          },
        },
      },
    },
  },
});
const Status = root.lookupType('google.rpc.Status');
const RetryInfo = root.lookupType('google.rpc.RetryInfo');

/** Type URL of `google.rpc.RetryInfo` inside a `google.protobuf.Any`. */
export const RETRY_INFO_TYPE_URL = 'type.googleapis.com/google.rpc.RetryInfo';

/**
 * An UNAVAILABLE error for a gRPC unary callback that carries, as OTLP asks of a server that wants the client to
 * wait, a `google.rpc.RetryInfo` with `retry_delay` in the `grpc-status-details-bin` trailer (the Collector's OTLP
 * exporter honours it; clients that do not still see UNAVAILABLE, a status they may retry).
 *
 * @example
 * callback(unavailableWithRetry('NATS is down; retry later.', 5));
 */
export function unavailableWithRetry(message: string, retryAfterSeconds: number): grpc.ServiceError {
  const seconds = Math.floor(retryAfterSeconds);
  const nanos = Math.round((retryAfterSeconds - seconds) * 1e9);
  const retryInfo = RetryInfo.encode(RetryInfo.create({ retry_delay: { seconds, nanos } })).finish();
  const status = Status.encode(
    Status.create({
      code: grpc.status.UNAVAILABLE,
      message,
      details: [{ type_url: RETRY_INFO_TYPE_URL, value: retryInfo }],
    }),
  ).finish();
  const metadata = new grpc.Metadata();
  metadata.set('grpc-status-details-bin', Buffer.from(status));
  return Object.assign(new Error(message), { code: grpc.status.UNAVAILABLE, details: message, metadata });
}

/** Reads the retry delay (seconds) from a `grpc-status-details-bin` trailer, or undefined: for clients and tests. */
export function retryDelayOf(metadata: grpc.Metadata | undefined): number | undefined {
  const raw = metadata?.get('grpc-status-details-bin')[0];
  if (!raw || typeof raw === 'string') return undefined;
  const status = Status.toObject(Status.decode(raw), { longs: Number }) as {
    details?: Array<{ type_url: string; value: Uint8Array }>;
  };
  const any = status.details?.find((d) => d.type_url === RETRY_INFO_TYPE_URL);
  if (!any) return undefined;
  const info = RetryInfo.toObject(RetryInfo.decode(any.value), { longs: Number }) as {
    retry_delay?: { seconds?: number; nanos?: number };
  };
  return (info.retry_delay?.seconds ?? 0) + (info.retry_delay?.nanos ?? 0) / 1e9;
}
