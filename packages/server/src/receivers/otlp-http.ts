import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { diag } from '@opentelemetry/api';
import { decodeMetricsRequest, decompress, encodingOf, type OtlpEncoding } from '../otlp/decode.js';
import type { MetricsIngest } from '../otlp/metrics-ingest.js';
import { otlpTypes } from '../otlp/proto-root.js';
import { Admission } from './admission.js';

/** Options of {@link startOtlpHttpReceiver}. */
export interface OtlpHttpReceiverOptions {
  /** Interface to bind. Default `'127.0.0.1'`; use `'0.0.0.0'` in a container. */
  host?: string;
  /** Port. Default 4318 (OTLP/HTTP); 0 picks a free one. */
  port?: number;
  /** Largest body as sent (compressed), bytes. Default 8 MiB. Larger: 413. */
  maxBodyBytes?: number;
  /** Largest body after decompression, bytes. Default 32 MiB. Larger (a compression bomb): 413. */
  maxDecompressedBytes?: number;
  /** Bytes of bodies being read and decoded at once; past it new requests get 429 with `Retry-After`. Default 64 MiB. */
  maxInFlightBytes?: number;
  /** Longest time to receive a whole request, ms. Default 30 000 (Node answers 408 past it). */
  requestTimeoutMs?: number;
  /** When set, requests must carry `Authorization: Bearer <token>` (else 401). */
  bearerToken?: string;
  /** Seconds a client is told to wait in `Retry-After` on 429 and 503. Default 5. Back-pressure from the pipeline
   * (its fit queue over its bound: `ingest.overloaded`) answers 429 with it. */
  retryAfterSeconds?: number;
}

/** Counters of an HTTP receiver, by outcome. */
export interface OtlpHttpReceiverStats {
  /** Requests answered, by HTTP status. */
  byStatus: Record<number, number>;
  /** Bytes received (as sent, before decompression). */
  bytes: number;
  /** Bytes being read and decoded right now. */
  inFlightBytes: number;
}

/** A running OTLP/HTTP receiver. */
export interface OtlpHttpReceiver {
  readonly server: Server;
  /** `http://host:port` it listens on (append `/v1/metrics`). */
  readonly url: string;
  readonly stats: OtlpHttpReceiverStats;
  /** While false, export requests get 503 with `Retry-After` (while starting or draining). Default true. */
  ready: boolean;
  close(): Promise<void>;
}

const DEFAULTS = {
  maxBodyBytes: 8 * 1024 * 1024,
  maxDecompressedBytes: 32 * 1024 * 1024,
  maxInFlightBytes: 64 * 1024 * 1024,
  requestTimeoutMs: 30_000,
  retryAfterSeconds: 5,
};

// google.rpc.Code values carried in the Status body, after the HTTP status they go with.
const RPC_CODE: Record<number, number> = {
  400: 3,
  401: 16,
  404: 5,
  405: 12,
  413: 8,
  415: 3,
  429: 8,
  500: 13,
  503: 14,
};

/**
 * Starts an OTLP/HTTP metrics receiver: `POST /v1/metrics` with `application/x-protobuf` or `application/json`,
 * optionally gzip- or deflate-compressed, as the OpenTelemetry SDK exporters and the Collector's `otlphttp` exporter
 * send it. Replies follow the OTLP/HTTP spec: 200 with a partial-success body when some points were rejected, 400
 * for a body of the wrong shape, 401 without the bearer token, 413 over a size limit, 415 for another content type,
 * 429 or 503 with `Retry-After` when overloaded (too many bytes in flight, or the pipeline's queue over its bound),
 * not ready, or when the points cannot be stored (a cluster's NATS is down, or JetStream did not acknowledge them
 * in time: 200 is sent only after it has). Error bodies are `google.rpc.Status` in the request's
 * encoding and never carry internal error text.
 *
 * @example
 * const ingest = new MetricsIngest(pipeline);
 * const rx = await startOtlpHttpReceiver(ingest, { host: '0.0.0.0', port: 4318 });
 */
export async function startOtlpHttpReceiver(
  ingest: MetricsIngest,
  options: OtlpHttpReceiverOptions = {},
): Promise<OtlpHttpReceiver> {
  const o = { ...DEFAULTS, ...stripUndefined(options) };
  const stats: OtlpHttpReceiverStats = { byStatus: {}, bytes: 0, inFlightBytes: 0 };
  const gate = new Admission({
    bearerToken: o.bearerToken,
    overloaded: () => ingest.overloaded,
    unavailable: () => ingest.unavailable,
  });

  const reply = (
    res: ServerResponse,
    status: number,
    encoding: OtlpEncoding,
    body: Uint8Array | string,
    headers: Record<string, string> = {},
  ) => {
    stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
    res.writeHead(status, {
      'content-type': encoding === 'protobuf' ? 'application/x-protobuf' : 'application/json',
      ...headers,
    });
    res.end(body);
  };
  const fail = (
    res: ServerResponse,
    status: number,
    encoding: OtlpEncoding,
    message: string,
    headers: Record<string, string> = {},
  ) => {
    const code = RPC_CODE[status] ?? 2;
    const body =
      encoding === 'protobuf'
        ? otlpTypes().status.encode(otlpTypes().status.create({ code, message })).finish()
        : JSON.stringify({ code, message });
    reply(res, status, encoding, body, headers);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const encoding = encodingOf(req.headers['content-type']);
    const errEncoding: OtlpEncoding = encoding ?? 'json';
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/v1/metrics') {
      fail(res, 404, errEncoding, 'Vigil receives OTLP metrics at POST /v1/metrics.');
      return;
    }
    if (req.method !== 'POST') {
      fail(res, 405, errEncoding, 'Use POST for /v1/metrics.', { allow: 'POST' });
      return;
    }
    const refused = gate.check(req.headers.authorization);
    if (refused?.refusal === 'unauthenticated') {
      fail(res, 401, errEncoding, refused.message, { 'www-authenticate': 'Bearer' });
      return;
    }
    if (refused) {
      const status = refused.refusal === 'overloaded' ? 429 : 503;
      refuseBody(res, () =>
        fail(res, status, errEncoding, refused.message, { 'retry-after': String(o.retryAfterSeconds) }),
      );
      return;
    }
    if (!encoding) {
      fail(
        res,
        415,
        'json',
        `Content-Type '${req.headers['content-type'] ?? ''}' is not OTLP: send application/x-protobuf or application/json.`,
      );
      return;
    }
    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    if (declared > o.maxBodyBytes) {
      refuseBody(res, () => fail(res, 413, encoding, `Body larger than ${o.maxBodyBytes} bytes.`));
      return;
    }
    const reserve = Number.isFinite(declared) ? declared : 0;
    if (stats.inFlightBytes + reserve > o.maxInFlightBytes) {
      refuseBody(res, () =>
        fail(res, 429, encoding, 'Too much data in flight; retry later.', {
          'retry-after': String(o.retryAfterSeconds),
        }),
      );
      return;
    }
    stats.inFlightBytes += reserve;
    let held = reserve;
    try {
      const raw = await readBody(req, o.maxBodyBytes, (n) => {
        // A body without Content-Length is counted as it arrives.
        if (n > held) {
          stats.inFlightBytes += n - held;
          held = n;
        }
      });
      if (raw === null) {
        refuseBody(res, () => fail(res, 413, encoding, `Body larger than ${o.maxBodyBytes} bytes.`));
        return;
      }
      stats.bytes += raw.length;
      const body = await decompress(raw, req.headers['content-encoding'], o.maxDecompressedBytes);
      if (!Buffer.isBuffer(body)) {
        fail(res, body.status, encoding, body.message);
        return;
      }
      stats.inFlightBytes += body.length;
      held += body.length;
      const request = decodeMetricsRequest(body, encoding);
      if ('status' in request) {
        fail(res, request.status, encoding, request.message);
        return;
      }
      // 200 only once the points are stored (a cluster: JetStream's PubAck); a retry of a refused request is
      // recognised by its bytes.
      const result = await ingest.ingestStored(request, () =>
        createHash('sha256').update(body).digest('hex'),
      );
      if (!result.stored) {
        fail(res, 503, encoding, 'Vigil could not store these points in time; retry.', {
          'retry-after': String(o.retryAfterSeconds),
        });
        return;
      }
      const partial =
        result.rejected > 0
          ? { rejectedDataPoints: result.rejected, errorMessage: result.errorMessage }
          : undefined;
      if (encoding === 'protobuf') {
        const { response } = otlpTypes();
        reply(
          res,
          200,
          encoding,
          response.encode(response.create(partial ? { partialSuccess: partial } : {})).finish(),
        );
      } else {
        reply(
          res,
          200,
          encoding,
          JSON.stringify(
            partial
              ? {
                  partialSuccess: {
                    rejectedDataPoints: String(partial.rejectedDataPoints),
                    errorMessage: partial.errorMessage,
                  },
                }
              : {},
          ),
        );
      }
    } finally {
      stats.inFlightBytes -= held;
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      // Internal failures are logged here; the client learns only that it was ours, not the details.
      diag.error(`vigil otlp/http: ${String((e as Error)?.stack ?? e)}`);
      if (!res.headersSent) fail(res, 500, 'json', 'Internal error in the receiver; see the Vigil log.');
      else res.destroy();
    });
  });
  server.requestTimeout = o.requestTimeoutMs;
  server.headersTimeout = Math.min(server.headersTimeout, o.requestTimeoutMs);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 4318, o.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return gate.handle({ server, url: `http://${host}:${addr.port}`, stats }, () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    return closed;
  });
}

/** Reads a body up to `limit` bytes; null past it (the rest is not read). */
function readBody(
  req: IncomingMessage,
  limit: number,
  progress: (n: number) => void,
): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.off('data', onData);
        req.pause();
        resolve(null);
        return;
      }
      chunks.push(c);
      progress(size);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks, size)));
    req.on('error', reject);
    req.on('aborted', () => reject(new Error('request aborted by the client')));
  });
}

/** Answers without reading the rest of the body, then closes the connection (its unread bytes cannot be reused). */
function refuseBody(res: ServerResponse, answer: () => void): void {
  res.shouldKeepAlive = false;
  res.once('finish', () => res.socket?.destroySoon?.());
  answer();
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
