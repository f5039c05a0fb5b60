/**
 * An HTTP/2 cleartext connection from one side: frames of both directions, header blocks decoded with
 * HPACK (RFC 7541, hpack-decoder.ts; one decoder per direction, fed every block in order, as its dynamic
 * table requires), streams paired from the client's HEADERS to the server's END_STREAM. gRPC calls are the
 * streams with `content-type: application/grpc*`: service and method from `:path`, status from the
 * `grpc-status` trailer.
 */
import type { Capture } from './capture.js';
import { H2, H2_FLAGS, type H2Frame, H2FrameStream, HeaderBlockAssembler } from './h2-frames.js';
import { HpackDecoder, HpackError } from './hpack-decoder.js';
import type { Side } from './http-record.js';
import type { ConnectionParser, GrpcCall, ParsedExchange } from './http-request.js';

interface Stream {
  method: string;
  path: string;
  grpc: boolean;
  startNs: number;
  status: number;
  grpcStatus: number;
}

/** Blocks remembered per direction: a gRPC client repeats the same few header blocks call after call. */
const MAX_CACHED_BLOCKS = 64;

/**
 * Decodes one direction's header blocks; `broken` once a block fails (the dynamic table is then unknown).
 * A block that leaves the dynamic table as it was (only indexed fields and literals without indexing, the
 * steady state of a gRPC channel) is remembered with its fields until the table changes, so a repeated
 * block costs a Map lookup instead of a decode.
 */
class HeaderDecoder {
  readonly #decoder = new HpackDecoder(4096);
  readonly #cache = new Map<string, ReadonlyMap<string, string>>();
  #cacheVersion = 0;
  #broken = false;

  get broken(): boolean {
    return this.#broken;
  }

  decode(block: Buffer): ReadonlyMap<string, string> | undefined {
    if (this.#broken) return undefined;
    const version = this.#decoder.version;
    if (version !== this.#cacheVersion) {
      this.#cache.clear();
      this.#cacheVersion = version;
    }
    const key = block.toString('latin1');
    const cached = this.#cache.get(key);
    if (cached) return cached;
    try {
      const fields = new Map(this.#decoder.decode(block));
      if (this.#decoder.version === version) {
        if (this.#cache.size >= MAX_CACHED_BLOCKS) this.#cache.clear();
        this.#cache.set(key, fields);
      }
      return fields;
    } catch (e) {
      if (!(e instanceof HpackError)) throw e;
      this.#broken = true;
      return undefined;
    }
  }
}

/** `/package.Service/Method` → service and method; undefined for other paths. */
export function grpcTarget(path: string): Omit<GrpcCall, 'statusCode'> | undefined {
  const m = /^\/([^/]+)\/([^/]+)$/.exec(path);
  return m ? { service: m[1], method: m[2] } : undefined;
}

/** Pairs the requests and responses of one HTTP/2 connection. */
export class H2Connection implements ConnectionParser {
  readonly #emit: (exchange: ParsedExchange) => void;
  readonly #fromClient: H2FrameStream;
  readonly #fromServer: H2FrameStream;
  readonly #clientDirection: 'in' | 'out';
  readonly #decoders = { client: new HeaderDecoder(), server: new HeaderDecoder() };
  readonly #streams = new Map<number, Stream>();
  /** Header blocks spread over HEADERS + CONTINUATION frames, per direction. */
  readonly #blocks = { client: new HeaderBlockAssembler(), server: new HeaderBlockAssembler() };

  /** Transfers are raw bytes (capture mode, `events: true`), the client's starting with the preface. */
  constructor(side: Side, emit: (exchange: ParsedExchange) => void) {
    this.#emit = emit;
    this.#clientDirection = side === 'server' ? 'in' : 'out';
    this.#fromClient = new H2FrameStream(true, (f) => this.#frame('client', f));
    this.#fromServer = new H2FrameStream(false, (f) => this.#frame('server', f));
  }

  get lostSync(): number {
    return (
      Number(this.#fromClient.lost) +
      Number(this.#fromServer.lost) +
      Number(this.#decoders.client.broken) +
      Number(this.#decoders.server.broken)
    );
  }

  feed(direction: 'in' | 'out', capture: Capture, startNs: number, endNs: number): void {
    (direction === this.#clientDirection ? this.#fromClient : this.#fromServer).feed(capture, startNs, endNs);
  }

  close(): void {
    this.#streams.clear();
  }

  #frame(from: 'client' | 'server', frame: H2Frame): void {
    if (frame.type === H2.HEADERS || frame.type === H2.CONTINUATION) {
      const done = this.#blocks[from].push(frame);
      if (done) this.#headers(from, done.frame, done.block);
      return;
    }
    if (frame.type === H2.DATA && from === 'server' && frame.flags & H2_FLAGS.END_STREAM) {
      this.#end(frame.streamId, frame.endNs);
    } else if (frame.type === H2.RST_STREAM) {
      this.#streams.delete(frame.streamId);
    }
  }

  #headers(from: 'client' | 'server', frame: H2Frame, block: Buffer): void {
    const headers = this.#decoders[from].decode(block);
    if (!headers) return;
    if (from === 'client') {
      if (!headers.has(':path')) return; // trailers of a client stream
      this.#streams.set(frame.streamId, {
        method: headers.get(':method') ?? '',
        path: headers.get(':path') ?? '/',
        grpc: (headers.get('content-type') ?? '').startsWith('application/grpc'),
        startNs: frame.startNs,
        status: 0,
        grpcStatus: -1,
      });
      return;
    }
    const stream = this.#streams.get(frame.streamId);
    if (!stream) return;
    const status = headers.get(':status');
    if (status !== undefined) stream.status = Number(status);
    const grpcStatus = headers.get('grpc-status');
    if (grpcStatus !== undefined) stream.grpcStatus = Number(grpcStatus);
    if (frame.flags & H2_FLAGS.END_STREAM) this.#end(frame.streamId, frame.endNs);
  }

  #end(streamId: number, endNs: number): void {
    const stream = this.#streams.get(streamId);
    if (!stream) return;
    this.#streams.delete(streamId);
    const target = stream.grpc ? grpcTarget(stream.path) : undefined;
    this.#emit({
      method: stream.method,
      target: stream.path,
      status: stream.status,
      protocolVersion: '2',
      startNs: stream.startNs,
      endNs,
      grpc: target ? { ...target, statusCode: stream.grpcStatus } : undefined,
    });
  }
}
