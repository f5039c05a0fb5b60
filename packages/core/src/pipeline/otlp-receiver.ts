import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Pipeline } from './pipeline.js';

/** Options of {@link startOtlpReceiver}. */
export interface OtlpReceiverOptions {
  /** Interface to bind. Default `'127.0.0.1'`; use `'0.0.0.0'` inside a pod. */
  host?: string;
  /** Port. Default 4318 (the OTLP/HTTP port); 0 picks a free one. */
  port?: number;
  /** Largest accepted body, bytes. Default 8 MiB. */
  maxBodyBytes?: number;
}

/** A running receiver. */
export interface OtlpReceiver {
  readonly server: Server;
  /** `http://host:port` it listens on. */
  readonly url: string;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        resolve(null);
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Starts an OTLP/HTTP metrics receiver (`POST /v1/metrics`, JSON encoding) that feeds a {@link Pipeline} — point an
 * OpenTelemetry Collector's `otlphttp` exporter (with `encoding: json`) at it. Protobuf bodies get 415 with a message
 * saying to switch the exporter to JSON.
 *
 * @example
 * const rx = await startOtlpReceiver(pipeline, { host: '0.0.0.0', port: 4318 });
 */
export async function startOtlpReceiver(
  pipeline: Pipeline,
  options: OtlpReceiverOptions = {},
): Promise<OtlpReceiver> {
  const limit = options.maxBodyBytes ?? 8 * 1024 * 1024;
  const server = createServer(async (req, res) => {
    const reply = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== '/v1/metrics') {
      reply(404, { error: 'Vigil receives OTLP metrics at POST /v1/metrics' });
      return;
    }
    const type = String(req.headers['content-type'] ?? '');
    if (!type.includes('json')) {
      reply(415, {
        error:
          'Only OTLP/JSON is supported: set the exporter encoding to json (content-type application/json).',
      });
      return;
    }
    try {
      const body = await readBody(req, limit);
      if (body === null) {
        reply(413, { error: `Body larger than ${limit} bytes` });
        return;
      }
      const { rejected, error } = pipeline.ingestOtlp(body.toString('utf8'));
      if (error) {
        reply(400, { error: `Body is not an OTLP/JSON ExportMetricsServiceRequest (${error})` });
        return;
      }
      reply(
        200,
        rejected > 0
          ? {
              partialSuccess: {
                rejectedDataPoints: String(rejected),
                errorMessage: 'some points were malformed or out of order',
              },
            }
          : {},
      );
    } catch (e) {
      reply(500, { error: String(e) });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4318, options.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  return {
    server,
    url: `http://${addr.address}:${addr.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
