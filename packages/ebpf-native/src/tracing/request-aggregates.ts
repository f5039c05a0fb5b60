/**
 * The HTTP probe's in-kernel request aggregates (bpf/http.bpf.c): HTTP/1.x requests per (process, server
 * port, side, method, status, path hash) in `aggregates`, gRPC calls per (process, server port, side,
 * labels of their header blocks) in `h2_aggregates` — a count, total duration and log2 duration
 * histogram each, read on an interval. The kernel only knows path hashes and labels; the routes come from
 * the request records it sent for each new path, which name the hash, and the labels from the header
 * blocks user space named (h2-kernel-connection.ts).
 */

import { H2_AGG_KEY, HTTP_AGG_KEY as K, HTTP_AGG_VALUE as V } from '../generated/layouts.js';
import type { BpfMap } from '../object/bpf-map.js';
import { addToSlot, emptyLog2Histogram, type Log2Histogram } from '../probes/log2-histogram.js';
import { exchangeOf, type H2Labels } from './h2-kernel-connection.js';
import { HTTP_AGG_SLOTS, HTTP_METHODS, type Side } from './http-record.js';
import type { GrpcCall, HttpRequest } from './http-request.js';
import { OTHER_ROUTE } from './route.js';

/** Requests of one kind counted in the kernel: what, how many, and how long they took. */
export interface RequestAggregate {
  pid: number;
  side: Side;
  /** Server port: the local port of a server, the remote port a client connected to. */
  port: number;
  /** `GET`, …, or `_OTHER` (another method, or a response whose request was not seen). */
  method: string;
  status: number;
  /** `1.0`, `1.1` or `2`. */
  protocolVersion: string;
  /** `http.route` as the tracer named the path (gRPC: `/service/method`); `_OTHER` when the path is not known. */
  route: string;
  /** gRPC calls: service, method and `grpc-status`. */
  grpc?: GrpcCall;
  count: number;
  /** Sum of the durations, in nanoseconds. */
  sumNs: number;
  /** Durations in nanoseconds, as a log2 histogram (the kernel's resolution: one power of two, ≥ 1 µs). */
  histogram: Log2Histogram;
}

/** How long a path's requests wait for its name (its record may still be in the ring) before they count under `_OTHER`. */
const MAX_WAIT_MS = 2000;
/** Kernel slot s counts durations in [2^s, 2^(s+1)) µs-ish units of 1024 ns: ns slot s + 10. */
const NS_SLOT_OFFSET = 10;

function u64(b: Buffer, at: number): number {
  return b.readUInt32LE(at + 4) * 0x1_0000_0000 + b.readUInt32LE(at);
}

interface Seen {
  count: number;
  sumNs: number;
  slots: Float64Array;
  /** When the key was first read without a name for its path (0: named). */
  unnamedSince: number;
}

/** What a key of a kernel map counts; `route` undefined while its name is not known yet. */
export type AggregateKey = Omit<RequestAggregate, 'count' | 'sumNs' | 'histogram' | 'route'> & {
  route: string | undefined;
};

/** The key of an HTTP/1.x aggregate (struct http_agg_key), its route named by `routes`. */
function http1Key(key: Buffer, routes: ReadonlyMap<bigint, string>): AggregateKey {
  const hash = key.readBigUInt64LE(K.route);
  return {
    pid: key.readUInt32LE(K.pid),
    side: key[K.role] === 1 ? 'server' : 'client',
    port: key.readUInt16LE(K.port),
    method: HTTP_METHODS[key[K.method]] ?? '_OTHER',
    status: key.readUInt16LE(K.status),
    protocolVersion: `1.${key[K.version]}`,
    route: hash === 0n ? OTHER_ROUTE : routes.get(hash),
  };
}

/**
 * The key of a gRPC aggregate (struct h2_agg_key): the facts of its labels; `route` names a gRPC call
 * `/service/method`, any other HTTP/2 path by `route(path)`.
 */
export function h2Key(
  key: Buffer,
  labels: H2Labels,
  route: (path: string) => string,
): AggregateKey | undefined {
  const K2 = H2_AGG_KEY;
  const [request, response, trailers] = [0, 1, 2].map((k) =>
    labels.facts(key.readUInt32LE(K2.label + 4 * k)),
  );
  const x = request && exchangeOf(request, response, trailers, 0, 0);
  if (!x) return undefined;
  const a: AggregateKey = {
    pid: key.readUInt32LE(K2.pid),
    side: key[K2.role] === 1 ? 'server' : 'client',
    port: key.readUInt16LE(K2.port),
    method: x.method,
    status: x.status,
    protocolVersion: '2',
    route: x.grpc ? `/${x.grpc.service}/${x.grpc.method}` : route(x.target),
  };
  if (x.grpc) a.grpc = x.grpc;
  return a;
}

/** Turns a cumulative kernel map into per-read deltas and running totals with routes resolved. */
export class RequestAggregates {
  readonly #map: BpfMap;
  readonly #routes = new Map<bigint, string>();
  readonly #describe: (key: Buffer) => AggregateKey | undefined;
  readonly #seen = new Map<string, Seen>();
  readonly #totals = new Map<string, RequestAggregate>();
  #kernelCount = 0;

  /** @param describe what a key counts (default: HTTP/1.x keys); undefined skips the key */
  constructor(map: BpfMap, describe?: (key: Buffer) => AggregateKey | undefined) {
    this.#map = map;
    this.#describe = describe ?? ((key) => http1Key(key, this.#routes));
  }

  /** Requests counted in the kernel so far (as of the last {@link poll}). */
  get kernelCount(): number {
    return this.#kernelCount;
  }

  /** Names the path hash `hash` (from a request record). */
  learn(hash: bigint, route: string): void {
    if (!this.#routes.has(hash)) this.#routes.set(hash, route);
  }

  /**
   * Reads the kernel map and returns the requests counted since the last read, one entry per key with
   * new requests. A key whose path is not named yet (its request record is still in the ring) waits for
   * up to two seconds, then counts under `_OTHER`.
   */
  poll(): RequestAggregate[] {
    const out: RequestAggregate[] = [];
    for (const [key, value] of this.#map.entries()) {
      const id = key.toString('hex');
      let seen = this.#seen.get(id);
      const count = u64(value, V.count);
      if (seen && seen.count === count) continue;
      const described = this.#describe(key);
      if (!described) continue;
      let route = described.route;
      if (!seen) {
        seen = { count: 0, sumNs: 0, slots: new Float64Array(HTTP_AGG_SLOTS), unnamedSince: 0 };
        this.#seen.set(id, seen);
      }
      if (route === undefined) {
        const now = Date.now();
        if (seen.unnamedSince === 0) seen.unnamedSince = now;
        if (now - seen.unnamedSince < MAX_WAIT_MS) continue;
        route = OTHER_ROUTE;
      }
      const histogram = emptyLog2Histogram();
      for (let s = 0; s < HTTP_AGG_SLOTS; s++) {
        const n = u64(value, V.slots + 8 * s);
        addToSlot(histogram, s + NS_SLOT_OFFSET, n - seen.slots[s]);
        seen.slots[s] = n;
      }
      const sumNs = u64(value, V.sum_ns);
      const delta: RequestAggregate = {
        ...described,
        route,
        count: count - seen.count,
        sumNs: sumNs - seen.sumNs,
        histogram,
      };
      seen.count = count;
      seen.sumNs = sumNs;
      seen.unnamedSince = 0;
      this.#kernelCount += delta.count;
      out.push(delta);
      this.#add(delta);
    }
    return out;
  }

  /** Adds a request parsed in user space to the totals (its metrics and series are recorded by the tracer). */
  count(r: HttpRequest): void {
    const histogram = emptyLog2Histogram();
    const ns = Math.max(0, Math.round(r.durationMs * 1e6));
    addToSlot(histogram, ns >= 1 ? Math.floor(Math.log2(ns)) : 0, 1);
    const d: RequestAggregate = {
      pid: r.pid,
      side: r.side,
      port: r.side === 'server' ? r.localPort : r.remotePort,
      method: r.method,
      status: r.status,
      protocolVersion: r.protocolVersion,
      route: r.route,
      count: 1,
      sumNs: ns,
      histogram,
    };
    if (r.grpc) d.grpc = r.grpc;
    this.#add(d);
  }

  #add(d: RequestAggregate): void {
    const id = `${d.pid}\u0000${d.side}\u0000${d.port}\u0000${d.method}\u0000${d.status}\u0000${d.protocolVersion}\u0000${d.route}\u0000${d.grpc?.statusCode ?? ''}`;
    const t = this.#totals.get(id);
    if (!t) {
      this.#totals.set(id, {
        ...d,
        histogram: { counts: d.histogram.counts.slice(), total: d.histogram.total },
      });
      return;
    }
    t.count += d.count;
    t.sumNs += d.sumNs;
    for (let i = 0; i < t.histogram.counts.length; i++) t.histogram.counts[i] += d.histogram.counts[i];
    t.histogram.total += d.histogram.total;
  }

  /** Every request counted so far (as of the last {@link poll}), one entry per distinct kind. */
  totals(): RequestAggregate[] {
    return [...this.#totals.values()].map((t) => ({
      ...t,
      histogram: { counts: t.histogram.counts.slice(), total: t.histogram.total },
    }));
  }
}
