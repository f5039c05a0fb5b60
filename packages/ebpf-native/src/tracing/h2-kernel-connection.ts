/**
 * HTTP/2 (gRPC) calls paired and counted in the kernel (bpf/http.bpf.c): the kernel keys every header block
 * by (direction, HPACK table version, hash) and sends a block only the first time it sees it at its
 * version, or when it changes the dynamic table. Here each block is decoded (one HPACK decoder per
 * direction: every block that changes the table reaches it, in order, so it stays in step), a block that
 * leaves the table unchanged is named with a label — a small id of the facts the tracer needs — and the
 * label is written back to the kernel, which from then on counts the calls whose blocks all have labels in
 * its aggregates without telling user space. A call it could not count that way (a block not named yet, a
 * sample) arrives as a call record naming its blocks, and is completed here.
 */
import { H2_LABEL_KEY } from '../generated/layouts.js';
import type { BpfMap } from '../object/bpf-map.js';
import type { Capture } from './capture.js';
import { grpcTarget } from './h2-connection.js';
import { H2FrameStream, HeaderBlockAssembler } from './h2-frames.js';
import { HpackDecoder, HpackError } from './hpack-decoder.js';
import type { H2BlockRef, HttpRecord, Side } from './http-record.js';
import type { ConnectionParser, ParsedExchange } from './http-request.js';

/** What the tracer needs from one header block. */
export interface BlockFacts {
  /** Request headers: `:method`, `:path`, and whether `content-type` is gRPC's. */
  method?: string;
  path?: string;
  grpc?: boolean;
  /** Response headers or trailers: `:status`, `grpc-status`. */
  status?: number;
  grpcStatus?: number;
}

/** Labels are u32 in the kernel; past this many distinct facts, blocks stay unnamed (their calls reach user space). */
const MAX_LABELS = 1 << 16;

/** The labels of a tracer, shared by its connections: one per distinct {@link BlockFacts}. */
export class H2Labels {
  readonly #ids = new Map<string, number>();
  readonly #facts: BlockFacts[] = [{}]; // label 0: none

  /** The label of `facts`; 0 when the table is full. */
  label(facts: BlockFacts): number {
    const id = `${facts.method ?? ''}\u0000${facts.path ?? ''}\u0000${facts.grpc ? 1 : 0}\u0000${facts.status ?? ''}\u0000${facts.grpcStatus ?? ''}`;
    let label = this.#ids.get(id);
    if (label === undefined) {
      if (this.#facts.length >= MAX_LABELS) return 0;
      label = this.#facts.length;
      this.#facts.push(facts);
      this.#ids.set(id, label);
    }
    return label;
  }

  facts(label: number): BlockFacts | undefined {
    return label > 0 ? this.#facts[label] : undefined;
  }
}

function factsOf(fields: ReadonlyArray<[string, string]>, fromServer: boolean): BlockFacts {
  const facts: BlockFacts = {};
  for (const [name, value] of fields) {
    if (fromServer) {
      if (name === ':status') facts.status = Number(value);
      else if (name === 'grpc-status') facts.grpcStatus = Number(value);
    } else if (name === ':method') facts.method = value;
    else if (name === ':path') facts.path = value;
    else if (name === 'content-type') facts.grpc = value.startsWith('application/grpc');
  }
  return facts;
}

/** The exchange of a call from the facts of its request headers, response headers and trailers. */
export function exchangeOf(
  request: BlockFacts,
  response: BlockFacts | undefined,
  trailers: BlockFacts | undefined,
  startNs: number,
  endNs: number,
): ParsedExchange | undefined {
  if (request.path === undefined) return undefined;
  const target = request.grpc ? grpcTarget(request.path) : undefined;
  return {
    method: request.method ?? '',
    target: request.path,
    status: response?.status ?? trailers?.status ?? 0,
    protocolVersion: '2',
    startNs,
    endNs,
    grpc: target ? { ...target, statusCode: trailers?.grpcStatus ?? response?.grpcStatus ?? -1 } : undefined,
  };
}

/** Blocks remembered per connection for call records that name them by (version, hash). */
const MAX_BLOCKS = 1024;

type BlockRecord = Extract<HttpRecord, { kind: 'h2block' }>;
type CallRecord = Extract<HttpRecord, { kind: 'h2call' }>;

/** One HTTP/2 connection whose frames and calls the kernel walks and pairs. */
export class H2KernelConnection implements ConnectionParser {
  readonly #connId: number;
  readonly #labels: H2Labels;
  readonly #labelMap: BpfMap | undefined;
  readonly #emit: (exchange: ParsedExchange) => void;
  readonly #clientDirection: 'in' | 'out';
  /** [client, server]: decoders, the kernel's table versions as of the last block, frame streams. */
  readonly #decoders = [new HpackDecoder(4096), new HpackDecoder(4096)];
  readonly #versions = [0, 0];
  readonly #frames: [H2FrameStream, H2FrameStream];
  readonly #assemblers = [new HeaderBlockAssembler(), new HeaderBlockAssembler()];
  readonly #blocks = new Map<string, BlockFacts>();
  /**
   * [client, server]: keys this connection has in the kernel's `h2_labels` at the direction's current
   * version — every block the kernel sent that left the table alone (it marked each sent), named or not.
   * Deleted when the version moves on (the kernel looks up only the current one) and at close, so that a
   * closed connection's labels do not wait for the map's LRU eviction.
   */
  readonly #labelKeys: [Buffer[], Buffer[]] = [[], []];
  readonly #broken = [false, false];
  #unresolved = 0;

  /**
   * @param labelMap the kernel's `h2_labels` map, which this connection names blocks in (undefined: never
   *   name them, so that every call reaches user space)
   */
  constructor(
    connId: number,
    side: Side,
    labels: H2Labels,
    labelMap: BpfMap | undefined,
    emit: (exchange: ParsedExchange) => void,
  ) {
    this.#connId = connId;
    this.#labels = labels;
    this.#labelMap = labelMap;
    this.#emit = emit;
    this.#clientDirection = side === 'server' ? 'in' : 'out';
    this.#frames = [
      new H2FrameStream(false, (f) => this.#frame(0, f)),
      new H2FrameStream(false, (f) => this.#frame(1, f)),
    ];
  }

  /** Decoders out of step, frame streams lost, and calls whose blocks were never seen. */
  get lostSync(): number {
    return (
      Number(this.#broken[0]) +
      Number(this.#broken[1]) +
      Number(this.#frames[0].lost) +
      Number(this.#frames[1].lost) +
      this.#unresolved
    );
  }

  /** Frames of header blocks the kernel could not key (CONTINUATION, padding, split over transfers). */
  feed(direction: 'in' | 'out', capture: Capture, startNs: number, endNs: number): void {
    this.#frames[direction === this.#clientDirection ? 0 : 1].feed(capture, startNs, endNs);
  }

  close(): void {
    this.#blocks.clear();
    this.#forgetLabels(0);
    this.#forgetLabels(1);
  }

  /** A block the kernel keyed: decoded, remembered and, when it leaves the table unchanged, named. */
  block(r: BlockRecord): void {
    const d = r.fromServer ? 1 : 0;
    const fields = this.#decode(d, r.block, r.changes);
    this.#versions[d] = r.version + (r.changes ? 1 : 0);
    let key: Buffer | undefined;
    if (r.changes) this.#forgetLabels(d);
    else if (this.#labelMap) {
      key = Buffer.alloc(H2_LABEL_KEY.size);
      key.writeBigUInt64LE(BigInt(this.#connId), H2_LABEL_KEY.conn_id);
      key.writeBigUInt64LE(r.hash, H2_LABEL_KEY.hash);
      key.writeUInt32LE(r.version, H2_LABEL_KEY.version);
      key[H2_LABEL_KEY.from_server] = d;
      const keys = this.#labelKeys[d];
      if (keys.length >= MAX_BLOCKS) keys.shift(); // left to the map's LRU eviction
      keys.push(key);
    }
    if (!fields) return;
    const facts = factsOf(fields, r.fromServer);
    this.#remember(d, r.version, r.hash, facts);
    if (!key || !this.#labelMap) return;
    const label = this.#labels.label(facts);
    if (label === 0) return;
    const value = Buffer.alloc(4);
    value.writeUInt32LE(label, 0);
    this.#labelMap.update(key, value);
  }

  /** A call the kernel paired but did not count: its blocks by label or reference. */
  call(r: CallRecord): void {
    const [request, response, trailers] = r.parts.map((ref, k) =>
      ref ? this.#resolve(k === 0 ? 0 : 1, ref) : undefined,
    );
    if (!request || (r.parts[1] && !response) || (r.parts[2] && !trailers)) {
      this.#unresolved++;
      return;
    }
    const exchange = exchangeOf(request, response, trailers, r.startNs, r.endNs);
    if (exchange) this.#emit(exchange);
  }

  #resolve(d: number, ref: H2BlockRef): BlockFacts | undefined {
    return ref.label ? this.#labels.facts(ref.label) : this.#blocks.get(`${d}:${ref.version}:${ref.hash}`);
  }

  #remember(d: number, version: number, hash: bigint, facts: BlockFacts): void {
    if (this.#blocks.size >= MAX_BLOCKS) this.#blocks.delete(this.#blocks.keys().next().value as string);
    this.#blocks.set(`${d}:${version}:${hash}`, facts);
  }

  /** Deletes the direction's keys from the kernel's `h2_labels`: their version is over, or the connection. */
  #forgetLabels(d: number): void {
    const keys = this.#labelKeys[d];
    if (this.#labelMap) for (const key of keys) this.#labelMap.delete(key);
    keys.length = 0;
  }

  #decode(d: number, block: Buffer, mayChange: boolean): Array<[string, string]> | undefined {
    if (this.#broken[d]) return undefined;
    const decoder = this.#decoders[d];
    const before = decoder.version;
    try {
      const fields = decoder.decode(block);
      // The kernel said the block leaves the table alone, and named it by the table's version: a block
      // that changed it after all would put the two out of step.
      if (!mayChange && decoder.version !== before) this.#broken[d] = true;
      return this.#broken[d] ? undefined : fields;
    } catch (e) {
      if (!(e instanceof HpackError)) throw e;
      this.#broken[d] = true;
      return undefined;
    }
  }

  /** A block sent as frames: the kernel moved the direction's version on past it, and so does this side. */
  #frame(d: number, frame: Parameters<HeaderBlockAssembler['push']>[0]): void {
    const done = this.#assemblers[d].push(frame);
    if (!done) return;
    const version = this.#versions[d]++;
    this.#forgetLabels(d);
    const fields = this.#decode(d, done.block, true);
    if (fields) this.#remember(d, version, 0n, factsOf(fields, d === 1));
  }
}
