import { VigilInputError } from '../errors.js';
import {
  checkDuplicatePolicy,
  type DuplicatePolicy,
  hasRepeatedTimestamps,
  mergeRepeatedTimestamps,
} from './duplicates.js';
import { validateTimestamps, validateValues } from './validate.js';

/**
 * A univariate time series: strictly increasing timestamps in epoch milliseconds and one value per timestamp.
 * Missing values are NaN.
 */
export interface Series {
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
}

/** Anything shaped like a {@link Series}: plain `number[]` or typed arrays. Accepted by every `fit`/`score`. */
export interface SeriesLike {
  readonly timestamps: ArrayLike<number>;
  readonly values: ArrayLike<number>;
}

/** Options of the series and frame constructors. */
export interface SeriesOptions {
  /** Points that share a timestamp: see {@link DuplicatePolicy}. Default `'last'`. */
  readonly duplicates?: DuplicatePolicy;
}

/** One observation as `{ t, v }` (t in epoch milliseconds or an ISO date string; v NaN or null when missing). */
export interface Point {
  readonly t: number | string | Date;
  readonly v: number | null;
}

function asFloat64(a: ArrayLike<number>): Float64Array {
  return a instanceof Float64Array ? a : Float64Array.from(a);
}

/**
 * Validates a series-shaped object and returns it as a {@link Series} of `Float64Array`s (typed arrays are not copied
 * unless points are merged). Points that share a timestamp are merged by `options.duplicates` (default `'last'`:
 * the last observed value wins; `'mean'` averages; `'keep'` keeps them all; `'error'` throws).
 *
 * @param what - how error messages name the input.
 * @throws {VigilInputError} `EMPTY_INPUT`, `LENGTH_MISMATCH`, `NON_FINITE_TIMESTAMP`, `UNSORTED_TIMESTAMPS`,
 *   `DUPLICATE_TIMESTAMPS` (only with `duplicates: 'error'`), `NON_FINITE_VALUE`, `ALL_NAN` or `INVALID_OPTION`.
 * @example
 * const s = toSeries({ timestamps: [0, 1000, 2000], values: [1, NaN, 3] });
 * s.values; // Float64Array [1, NaN, 3]
 * toSeries({ timestamps: [0, 0, 1000], values: [1, 3, 5] }, 'series', { duplicates: 'mean' }).values; // [2, 5]
 */
export function toSeries(input: SeriesLike, what = 'series', options: SeriesOptions = {}): Series {
  if (input === null || typeof input !== 'object' || !input.timestamps || !input.values) {
    throw new VigilInputError(
      'EMPTY_INPUT',
      `Expected a ${what} as { timestamps, values } (arrays of numbers); got ${input === null ? 'null' : typeof input}.`,
      what,
    );
  }
  const policy = checkDuplicatePolicy(options.duplicates ?? 'last');
  if (
    (policy === 'last' || policy === 'mean') &&
    input.values.length === input.timestamps.length &&
    hasRepeatedTimestamps(input.timestamps)
  ) {
    validateValues(input.values, input.timestamps.length, 'values');
    const merged = mergeRepeatedTimestamps(input.timestamps, [input.values], policy);
    validateTimestamps(merged.timestamps, what);
    return { timestamps: merged.timestamps, values: merged.columns[0] };
  }
  // Merging policies reach here only when lengths differ: report that rather than the repeats.
  validateTimestamps(input.timestamps, what, policy !== 'error');
  validateValues(input.values, input.timestamps.length, 'values');
  return { timestamps: asFloat64(input.timestamps), values: asFloat64(input.values) };
}

/**
 * Builds a validated series from parallel arrays.
 *
 * @throws {VigilInputError} as {@link toSeries}.
 * @example
 * seriesFromArrays([0, 60_000], [0.5, 0.7]);
 */
export function seriesFromArrays(
  timestamps: ArrayLike<number>,
  values: ArrayLike<number>,
  options: SeriesOptions = {},
): Series {
  return toSeries({ timestamps, values }, 'series', options);
}

/** Converts a timestamp given as milliseconds, an ISO string or a Date to epoch milliseconds (NaN when unreadable). */
export function toEpochMs(t: number | string | Date): number {
  if (typeof t === 'number') return t;
  if (t instanceof Date) return t.getTime();
  const trimmed = t.trim();
  if (trimmed !== '' && /^[-+]?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  return Date.parse(trimmed);
}

/**
 * Builds a validated series from `{ t, v }` points (already in time order); `v: null` is a missing value.
 *
 * @throws {VigilInputError} as {@link toSeries}.
 * @example
 * seriesFromPoints([{ t: '2026-01-01T00:00:00Z', v: 1 }, { t: '2026-01-01T00:01:00Z', v: null }]);
 */
export function seriesFromPoints(points: readonly Point[], options: SeriesOptions = {}): Series {
  const n = points.length;
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    timestamps[i] = toEpochMs(points[i].t);
    const v = points[i].v;
    values[i] = v === null ? Number.NaN : v;
  }
  return toSeries({ timestamps, values }, 'series', options);
}

/**
 * Builds a validated, evenly spaced series: point `i` is at `start + i * stepMs`.
 *
 * @param start - first timestamp, epoch ms (or a date).
 * @param stepMs - spacing in milliseconds, > 0.
 * @throws {VigilInputError} `INVALID_OPTION` for a non-positive step; otherwise as {@link toSeries}.
 * @example
 * seriesFromStep(Date.UTC(2026, 0, 1), 300_000, [1, 2, 3]); // 5-minute data
 */
export function seriesFromStep(
  start: number | string | Date,
  stepMs: number,
  values: ArrayLike<number>,
): Series {
  if (!(Number.isFinite(stepMs) && stepMs > 0)) {
    throw new VigilInputError(
      'INVALID_OPTION',
      `stepMs must be a positive number of milliseconds; got ${stepMs}.`,
      'stepMs',
    );
  }
  const t0 = toEpochMs(start);
  const timestamps = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) timestamps[i] = t0 + i * stepMs;
  return toSeries({ timestamps, values });
}

/**
 * Returns the points of `s` with index in `[from, to)` (views, not copies).
 *
 * @example
 * sliceSeries(s, 0, 288); // the first day of 5-minute data
 */
export function sliceSeries(s: Series, from: number, to: number): Series {
  return { timestamps: s.timestamps.subarray(from, to), values: s.values.subarray(from, to) };
}
