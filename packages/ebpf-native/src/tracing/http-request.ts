/** The event the HTTP tracer emits: one request and its response, seen from one side of a connection. */
import type { Side } from './http-record.js';

/** A gRPC call carried by an HTTP/2 request. */
export interface GrpcCall {
  /** Fully qualified service, e.g. `helloworld.Greeter`. */
  service: string;
  /** Method name, e.g. `SayHello`. */
  method: string;
  /** `grpc-status` from the trailers (0 OK, 2 UNKNOWN, 5 NOT_FOUND, …); -1 when the call ended without one. */
  statusCode: number;
}

/** One traced request. */
export interface HttpRequest {
  /** `server`: the traced process accepted the connection and answered; `client`: it connected and asked. */
  side: Side;
  /** Unix epoch milliseconds when the request started (its first byte was read, or written by a client). */
  time: number;
  /** From the request's start to the end of its response, in milliseconds. */
  durationMs: number;
  pid: number;
  /** Process name (the kernel's 15-byte `comm`). */
  comm: string;
  /** `1.0`, `1.1` or `2`. */
  protocolVersion: string;
  /** As sent, e.g. `GET`; HTTP/2: the `:method` pseudo-header. */
  method: string;
  /** Request target without query string or fragment. */
  path: string;
  /** Low-cardinality route (templates, else identifiers replaced by `{id}`, capped). */
  route: string;
  /** Response status code; 0 when the connection closed without a response. */
  status: number;
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  /** Present for gRPC calls (HTTP/2 with `content-type: application/grpc`). */
  grpc?: GrpcCall;
}

/** What a protocol parser learns about a request; the tracer adds the connection and route. */
export interface ParsedExchange {
  method: string;
  target: string;
  status: number;
  protocolVersion: string;
  startNs: bigint;
  endNs: bigint;
  grpc?: GrpcCall;
}

/** A protocol parser of one connection: fed both directions' transfers in order. */
export interface ConnectionParser {
  feed(
    direction: 'in' | 'out',
    capture: import('./capture.js').Capture,
    startNs: bigint,
    endNs: bigint,
  ): void;
  close(timeNs: bigint): void;
  /** Times the parser lost sync with the byte stream. */
  readonly lostSync: number;
}
