/**
 * Vigil series from traced requests, ready for the Pipeline: per (service, side, route) and interval,
 * the request rate (per second), the error ratio and the p50/p99 duration (ms). An interval without
 * requests has rate 0 and NaN (missing) ratio and quantiles.
 */
import type { Series } from '../probes/aggregate-probe.js';
import { addToSlot, emptyLog2Histogram, type Log2Histogram, log2Quantile } from '../probes/log2-histogram.js';
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
  /** Durations of requests counted one by one (ms); `count` also counts the histogram's. */
  n: number;
  durations: Float64Array;
  /** Requests counted in the kernel (ns); then quantiles come from the histogram, with `durations` added. */
  histogram: Log2Histogram;
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
    const c = this.#interval(key);
    if (c.n === c.durations.length) {
      const grown = new Float64Array(c.durations.length * 2);
      grown.set(c.durations);
      c.durations = grown;
    }
    c.durations[c.n++] = durationMs;
    c.count++;
    if (error) c.errors++;
  }

  /** Counts `count` requests (`errors` of them failed) whose durations (ns) are in `histogram`. */
  recordHistogram(key: RequestKey, count: number, errors: number, histogram: Log2Histogram): void {
    const c = this.#interval(key);
    c.count += count;
    c.errors += errors;
    for (let i = 0; i < histogram.counts.length; i++) addToSlot(c.histogram, i, histogram.counts[i]);
  }

  #interval(key: RequestKey): Interval {
    const id = `${key.service}\u0000${key.side}\u0000${key.route}`;
    let k = this.#keys.get(id);
    if (!k) {
      const rings = {} as Record<RequestMetric, TypedRing>;
      for (const m of METRICS) rings[m] = new TypedRing(this.#maxHistory);
      const current = {
        count: 0,
        errors: 0,
        n: 0,
        durations: new Float64Array(64),
        histogram: emptyLog2Histogram(),
      };
      k = { key: { ...key }, current, rings };
      this.#keys.set(id, k);
    }
    return k.current;
  }

  /** Ends the interval at `time` (epoch ms): one point per key, then counting starts again. */
  tick(time: number): void {
    for (const { current: c, rings } of this.#keys.values()) {
      rings.rate.push(time, c.count / (this.#intervalMs / 1000));
      rings.errorRatio.push(time, c.count > 0 ? c.errors / c.count : Number.NaN);
      if (c.histogram.total > 0) {
        // Kernel-counted requests: quantiles at the histogram's resolution, one-by-one ones added to it.
        for (let i = 0; i < c.n; i++)
          addToSlot(c.histogram, Math.max(0, Math.floor(Math.log2(c.durations[i] * 1e6))), 1);
        rings.p50.push(time, log2Quantile(c.histogram, 0.5) / 1e6);
        rings.p99.push(time, log2Quantile(c.histogram, 0.99) / 1e6);
        c.histogram = emptyLog2Histogram();
      } else {
        const sorted = c.durations.subarray(0, c.n).sort();
        rings.p50.push(time, quantileSorted(sorted, c.n, 0.5));
        rings.p99.push(time, quantileSorted(sorted, c.n, 0.99));
      }
      c.count = 0;
      c.n = 0;
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
