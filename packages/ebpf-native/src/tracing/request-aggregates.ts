/**
 * The HTTP probe's in-kernel request aggregates (bpf/http.bpf.c `aggregates`): per (process, server port,
 * side, method, status, path hash) a request count, total duration and log2 duration histogram, read on an
 * interval. The kernel only knows path hashes; the routes come from the request records it sent for each
 * new path, which name the hash.
 */

import { HTTP_AGG_KEY as K, HTTP_AGG_VALUE as V } from '../generated/layouts.js';
import type { BpfMap } from '../object/bpf-map.js';
import { addToSlot, emptyLog2Histogram, type Log2Histogram } from '../probes/log2-histogram.js';
import { HTTP_AGG_SLOTS, HTTP_METHODS, type Side } from './http-record.js';
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
  /** `1.0` or `1.1`. */
  protocolVersion: string;
  /** `http.route` as the tracer named the path; `_OTHER` when the path is not known. */
  route: string;
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

/** Turns the cumulative kernel map into per-read deltas and running totals with routes resolved. */
export class RequestAggregates {
  readonly #map: BpfMap;
  readonly #routes = new Map<bigint, string>();
  readonly #seen = new Map<string, Seen>();
  readonly #totals = new Map<string, RequestAggregate>();

  constructor(map: BpfMap) {
    this.#map = map;
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
      const hash = key.readBigUInt64LE(K.route);
      let route = hash === 0n ? OTHER_ROUTE : this.#routes.get(hash);
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
        pid: key.readUInt32LE(K.pid),
        side: key[K.role] === 1 ? 'server' : 'client',
        port: key.readUInt16LE(K.port),
        method: HTTP_METHODS[key[K.method]] ?? '_OTHER',
        status: key.readUInt16LE(K.status),
        protocolVersion: `1.${key[K.version]}`,
        route,
        count: count - seen.count,
        sumNs: sumNs - seen.sumNs,
        histogram,
      };
      seen.count = count;
      seen.sumNs = sumNs;
      seen.unnamedSince = 0;
      out.push(delta);
      this.#add(delta);
    }
    return out;
  }

  #add(d: RequestAggregate): void {
    const id = `${d.pid}\u0000${d.side}\u0000${d.port}\u0000${d.method}\u0000${d.status}\u0000${d.protocolVersion}\u0000${d.route}`;
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
