/**
 * OpenTelemetry instruments for traced requests, named and attributed as the semantic conventions say:
 * `http.server.request.duration` / `http.client.request.duration` (s, HTTP semconv 1.26+) and
 * `rpc.server.duration` / `rpc.client.duration` (ms, RPC semconv) for gRPC.
 */
import type { Attributes, Histogram, Meter } from '@opentelemetry/api';
import type { HttpRequest } from './http-request.js';
import type { RequestAggregate } from './request-aggregates.js';

/** Bucket boundaries the HTTP semantic conventions advise for request durations, in seconds. */
export const HTTP_DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
] as const;

const KNOWN_METHODS = new Set([
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'TRACE',
]);

/** `http.request.method`: the method when it is a known one, else `_OTHER` (semconv). */
export function semconvMethod(method: string): string {
  return KNOWN_METHODS.has(method) ? method : '_OTHER';
}

/**
 * Whether a request failed, as the conventions define it: a server request with a 5xx status, a client
 * request with a 4xx or 5xx one, a request without a response, or a gRPC call with a non-OK status.
 */
export function isError(r: Pick<HttpRequest, 'side' | 'status' | 'grpc'>): boolean {
  if (r.grpc) return r.grpc.statusCode !== 0;
  return r.status === 0 || r.status >= (r.side === 'server' ? 500 : 400);
}

/** Records each request on the instruments of `meter`. */
export class RequestMetrics {
  readonly #server: Histogram;
  readonly #client: Histogram;
  readonly #rpcServer: Histogram;
  readonly #rpcClient: Histogram;

  constructor(meter: Meter) {
    const advice = { explicitBucketBoundaries: [...HTTP_DURATION_BUCKETS] };
    this.#server = meter.createHistogram('http.server.request.duration', {
      description: 'Duration of HTTP server requests.',
      unit: 's',
      advice,
    });
    this.#client = meter.createHistogram('http.client.request.duration', {
      description: 'Duration of HTTP client requests.',
      unit: 's',
      advice,
    });
    this.#rpcServer = meter.createHistogram('rpc.server.duration', {
      description: 'Duration of inbound RPCs.',
      unit: 'ms',
    });
    this.#rpcClient = meter.createHistogram('rpc.client.duration', {
      description: 'Duration of outbound RPCs.',
      unit: 'ms',
    });
  }

  /**
   * Records requests counted in the kernel: each at the middle of its log2 duration slot (the kernel's
   * resolution), with the attributes of {@link record} except `server.address`, which the kernel's
   * aggregates do not keep. gRPC calls go to `rpc.*.duration`.
   */
  recordAggregate(a: RequestAggregate): void {
    const { counts } = a.histogram;
    if (a.grpc) {
      const attrs = rpcAttributes(a.grpc, a.port);
      const histogram = a.side === 'server' ? this.#rpcServer : this.#rpcClient;
      for (let slot = 0; slot < counts.length; slot++) {
        const ms = (1.5 * 2 ** slot) / 1e6;
        for (let k = 0; k < counts[slot]; k++) histogram.record(ms, attrs);
      }
      return;
    }
    const attrs = httpAttributes(a, a.method, a.port);
    if (a.side === 'server') attrs['http.route'] = a.route;
    const histogram = a.side === 'server' ? this.#server : this.#client;
    for (let slot = 0; slot < counts.length; slot++) {
      const seconds = (1.5 * 2 ** slot) / 1e9;
      for (let k = 0; k < counts[slot]; k++) histogram.record(seconds, attrs);
    }
  }

  record(r: HttpRequest): void {
    const serverPort = r.side === 'server' ? r.localPort : r.remotePort;
    if (r.grpc) {
      const attrs = rpcAttributes(r.grpc, serverPort);
      if (r.side === 'client') attrs['server.address'] = r.remoteAddress;
      (r.side === 'server' ? this.#rpcServer : this.#rpcClient).record(r.durationMs, attrs);
      return;
    }
    const attrs = httpAttributes(r, semconvMethod(r.method), serverPort);
    if (r.side === 'server') {
      attrs['http.route'] = r.route;
      this.#server.record(r.durationMs / 1000, attrs);
    } else {
      attrs['server.address'] = r.remoteAddress;
      this.#client.record(r.durationMs / 1000, attrs);
    }
  }
}

/** Semantic-convention attributes of a gRPC call (`rpc.*.duration`), shared by single and kernel-counted calls. */
function rpcAttributes(
  grpc: { readonly service: string; readonly method: string; readonly statusCode: number },
  port: number,
): Attributes {
  return {
    'rpc.system': 'grpc',
    'rpc.service': grpc.service,
    'rpc.method': grpc.method,
    'rpc.grpc.status_code': grpc.statusCode,
    'server.port': port,
    'network.transport': 'tcp',
  };
}

/** Semantic-convention attributes of an HTTP request, before the side-specific route or server address. */
function httpAttributes(
  r: Pick<HttpRequest, 'side' | 'status' | 'grpc' | 'protocolVersion'>,
  method: string,
  port: number,
): Attributes {
  const attrs: Attributes = {
    'http.request.method': method,
    'server.port': port,
    'network.protocol.name': 'http',
    'network.protocol.version': r.protocolVersion,
    'url.scheme': 'http',
  };
  if (r.status > 0) attrs['http.response.status_code'] = r.status;
  if (isError(r)) attrs['error.type'] = r.status > 0 ? String(r.status) : '_OTHER';
  return attrs;
}
