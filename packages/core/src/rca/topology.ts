import { VigilInputError } from '../errors.js';
import { seriesAttributes, serviceOf } from './service-of.js';

/** One call edge: `caller` sends requests to `callee` (by service name). */
export interface CallEdge {
  readonly caller: string;
  readonly callee: string;
}

/**
 * Peer attributes that name the service a client metric calls, in the order they are trusted (OpenTelemetry
 * semantic conventions: `peer.service`, then `server.address`, then the older `net.peer.name`).
 */
export const PEER_ATTRIBUTES = ['peer.service', 'server.address', 'net.peer.name'] as const;

/**
 * A service call graph: who calls whom. Root-cause ranking reads it as "a caller's latency and errors follow its
 * callee's", so an anomaly on a callee explains the same anomaly on its callers, directly or through other services.
 *
 * @throws {VigilInputError} `INVALID_OPTION` when an edge names an empty service.
 * @example
 * const topo = new Topology([{ caller: 'checkout', callee: 'payments' }, { caller: 'payments', callee: 'db' }]);
 * topo.hops('checkout', 'db'); // 2: checkout depends on db through payments
 */
export class Topology {
  readonly #callees = new Map<string, Set<string>>();
  #hops = new Map<string, number>();

  constructor(edges: Iterable<CallEdge> = []) {
    for (const e of edges) this.addCall(e.caller, e.callee);
  }

  /** Records that `caller` calls `callee` (self-calls are ignored). */
  addCall(caller: string, callee: string): this {
    for (const [field, v] of [
      ['caller', caller],
      ['callee', callee],
    ] as const) {
      if (typeof v !== 'string' || v === '') {
        throw new VigilInputError(
          'INVALID_OPTION',
          `A call edge's ${field} must be a non-empty service name.`,
          field,
        );
      }
    }
    if (caller === callee) return this;
    let set = this.#callees.get(caller);
    if (!set) this.#callees.set(caller, (set = new Set()));
    if (!set.has(callee)) {
      set.add(callee);
      this.#hops = new Map();
    }
    return this;
  }

  /** Adds every edge of `other`. */
  merge(other: Topology): this {
    for (const e of other.edges()) this.addCall(e.caller, e.callee);
    return this;
  }

  /** Every call edge. */
  edges(): CallEdge[] {
    const out: CallEdge[] = [];
    for (const [caller, set] of this.#callees) for (const callee of set) out.push({ caller, callee });
    return out;
  }

  /** Number of edges. */
  get size(): number {
    let n = 0;
    for (const set of this.#callees.values()) n += set.size;
    return n;
  }

  /** True when `caller` calls `callee` directly. */
  calls(caller: string, callee: string): boolean {
    return this.#callees.get(caller)?.has(callee) ?? false;
  }

  /**
   * Shortest number of calls from `caller` down to `callee` (1: a direct call), or `Infinity` when `caller` does
   * not depend on `callee`. Breadth-first search, cached until the graph changes.
   */
  hops(caller: string, callee: string): number {
    if (caller === callee) return 0;
    const key = `${caller}\u0000${callee}`;
    const cached = this.#hops.get(key);
    if (cached !== undefined) return cached;
    let frontier = [caller];
    const seen = new Set(frontier);
    let result = Number.POSITIVE_INFINITY;
    for (let depth = 1; frontier.length > 0 && result === Number.POSITIVE_INFINITY; depth++) {
      const next: string[] = [];
      for (const s of frontier) {
        for (const c of this.#callees.get(s) ?? []) {
          if (c === callee) result = depth;
          if (!seen.has(c)) {
            seen.add(c);
            next.push(c);
          }
        }
      }
      frontier = next;
    }
    this.#hops.set(key, result);
    return result;
  }

  /**
   * The call graph implied by client-side series keys: a series `web/http.client.request.duration{server.address=db}`
   * says service `web` calls `db` (see {@link PEER_ATTRIBUTES}).
   *
   * @example
   * Topology.fromSeriesKeys(['web/http.client.request.duration{peer.service=db}']).calls('web', 'db'); // true
   */
  static fromSeriesKeys(keys: Iterable<string>): Topology {
    const topo = new Topology();
    for (const key of keys) {
      const attrs = seriesAttributes(key);
      const peer = PEER_ATTRIBUTES.map((a) => attrs[a]).find((v) => v !== undefined && v !== '');
      if (peer) topo.addCall(serviceOf(key), peer);
    }
    return topo;
  }
}
