/**
 * Vigil series from traced requests, ready for the Pipeline: per (service, side, route) and interval,
 * the request rate (per second), the error ratio and the p50/p99 duration (ms). An interval without
 * requests has rate 0 and NaN (missing) ratio and quantiles.
 */
import type { Series } from '../probes/aggregate-probe.js';
import { TypedRing } from './typed-ring.js';

/** The metrics kept per key. */
export type RequestMetric = 'rate' | 'errorRatio' | 'p50' | 'p99';

/** What a series is about. */
export interface RequestKey {
  /** The process name, or what the tracer's `serviceName` returned. */
  service: string;
  side: 'server' | 'client';
  /** `http.route`, or `service/method` for gRPC. */
  route: string;
}

const METRICS: readonly RequestMetric[] = ['rate', 'errorRatio', 'p50', 'p99'];

/**
 * Quantile `q` of ascending `sorted[0, n)` with linear interpolation between order statistics
 * (Hyndman & Fan 1996, type 7, R's default). Example: q = 0.5 of [1, 2, 3, 4] is 2.5.
 */
export function quantileSorted(sorted: ArrayLike<number>, n: number, q: number): number {
  if (n === 0) return Number.NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

interface Interval {
  count: number;
  errors: number;
  durations: Float64Array;
}

interface Keyed {
  key: RequestKey;
  current: Interval;
  rings: Record<RequestMetric, TypedRing>;
}

/** Per-key request statistics, one point per interval. */
export class RequestSeries {
  readonly #intervalMs: number;
  readonly #maxHistory: number;
  readonly #keys = new Map<string, Keyed>();

  constructor(intervalMs: number, maxHistory: number) {
    this.#intervalMs = intervalMs;
    this.#maxHistory = maxHistory;
  }

  /** Counts one request in the current interval. */
  record(key: RequestKey, durationMs: number, error: boolean): void {
    const id = `${key.service}\u0000${key.side}\u0000${key.route}`;
    let k = this.#keys.get(id);
    if (!k) {
      const rings = {} as Record<RequestMetric, TypedRing>;
      for (const m of METRICS) rings[m] = new TypedRing(this.#maxHistory);
      k = { key: { ...key }, current: { count: 0, errors: 0, durations: new Float64Array(64) }, rings };
      this.#keys.set(id, k);
    }
    const c = k.current;
    if (c.count === c.durations.length) {
      const grown = new Float64Array(c.durations.length * 2);
      grown.set(c.durations);
      c.durations = grown;
    }
    c.durations[c.count++] = durationMs;
    if (error) c.errors++;
  }

  /** Ends the interval at `time` (epoch ms): one point per key, then counting starts again. */
  tick(time: number): void {
    for (const { current: c, rings } of this.#keys.values()) {
      const sorted = c.durations.subarray(0, c.count).sort();
      rings.rate.push(time, c.count / (this.#intervalMs / 1000));
      rings.errorRatio.push(time, c.count > 0 ? c.errors / c.count : Number.NaN);
      rings.p50.push(time, quantileSorted(sorted, c.count, 0.5));
      rings.p99.push(time, quantileSorted(sorted, c.count, 0.99));
      c.count = 0;
      c.errors = 0;
    }
  }

  /** Every key seen so far. */
  keys(): RequestKey[] {
    return [...this.#keys.values()].map((k) => ({ ...k.key }));
  }

  /** The series of `metric` for `key` (empty when the key was never seen). */
  series(key: RequestKey, metric: RequestMetric): Series {
    const k = this.#keys.get(`${key.service}\u0000${key.side}\u0000${key.route}`);
    return k ? k.rings[metric].toSeries() : { timestamps: new Float64Array(0), values: new Float64Array(0) };
  }
}
