/** Vigil series from probe events, for detectors that take `{ timestamps, values }`. */
import { requireInput } from '../errors.js';
import type { Series } from './aggregate-probe.js';

/**
 * One point per event, in time order: `timestamps` are the events' epoch ms, `values` what `value` returns
 * (non-finite results become NaN, Vigil's missing value).
 *
 * @example
 * const handshakes = eventSeries(tcp.read().filter((e) => e.type === 'connect'), (e) => e.durationMs);
 */
export function eventSeries<T extends { time: number }>(
  events: readonly T[],
  value: (event: T) => number,
): Series {
  const sorted = [...events].sort((a, b) => a.time - b.time);
  const timestamps = new Float64Array(sorted.length);
  const values = new Float64Array(sorted.length);
  sorted.forEach((e, i) => {
    timestamps[i] = e.time;
    const v = value(e);
    values[i] = Number.isFinite(v) ? v : Number.NaN;
  });
  return { timestamps, values };
}

/**
 * Events per `bucketMs`, one point per bucket from the first event's bucket to the last's (empty buckets
 * are 0), timestamped at the bucket's start; buckets are aligned to multiples of `bucketMs` since the epoch.
 *
 * @throws {VigilEbpfError} `EBPF_INPUT` when `bucketMs` is not a positive finite number.
 * @example
 * // events at 1000, 1500 and 3100 ms, 1 s buckets → timestamps [1000, 2000, 3000], values [2, 0, 1]
 * eventCountSeries(processes.read().filter((e) => e.type === 'exec'), 1000);
 */
export function eventCountSeries(events: readonly { time: number }[], bucketMs: number): Series {
  requireInput(
    Number.isFinite(bucketMs) && bucketMs > 0,
    'bucketMs',
    'must be a positive number of milliseconds',
    'pass e.g. 1000.',
  );
  if (events.length === 0) return { timestamps: new Float64Array(0), values: new Float64Array(0) };
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const e of events) {
    first = Math.min(first, e.time);
    last = Math.max(last, e.time);
  }
  const start = Math.floor(first / bucketMs) * bucketMs;
  const n = Math.floor((last - start) / bucketMs) + 1;
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) timestamps[i] = start + i * bucketMs;
  for (const e of events) values[Math.floor((e.time - start) / bucketMs)]++;
  return { timestamps, values };
}
