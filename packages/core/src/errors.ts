/**
 * Stable error codes. A code never changes meaning once released, so callers may switch on it.
 *
 * - `EMPTY_INPUT`: a series or frame has no points.
 * - `LENGTH_MISMATCH`: timestamps and values (or a column) differ in length.
 * - `UNSORTED_TIMESTAMPS` / `NON_FINITE_TIMESTAMP`: the time axis is not increasing finite milliseconds.
 * - `DUPLICATE_TIMESTAMPS`: points share a timestamp and the caller asked for `duplicates: 'error'` (the default,
 *   `'last'`, merges them; see `DuplicatePolicy`).
 * - `NON_FINITE_VALUE`: a value is ±Infinity (missing values must be NaN).
 * - `ALL_NAN`: every value (of a series or of one column) is missing.
 * - `COLUMN_MISMATCH`: a frame's columns differ from the ones the detector was fitted on.
 * - `RAGGED_ROWS`: rows of a row-major input have different lengths.
 * - `TOO_SHORT`: fewer points than the model needs.
 * - `CONSTANT_INPUT`: every value is the same where the model needs variation (a flat metric carries no trend).
 * - `INVALID_OPTION`: a configuration value is out of its allowed range.
 * - `NOT_FITTED`: `score` or `update` was called before `fit`.
 * - `NOT_READY`: a synchronous call needs something loaded asynchronously first (e.g. an LSTM's TensorFlow.js: `await detector.ready()`).
 * - `CSV_PARSE`: CSV text could not be read as a time series.
 * - `UNKNOWN_KIND` / `SNAPSHOT_VERSION` / `INVALID_SNAPSHOT`: a snapshot cannot be restored.
 * - `FUTURE_TIMESTAMP`: a streamed point is dated further ahead of the wall clock than the pipeline allows.
 * - `SERIES_LIMIT`: a point of a new series was refused because its metric already has the most series allowed.
 * - `FIT_TIMEOUT`: a fit or refit ran longer than the pipeline's `fitTimeout` and was abandoned.
 * - `DETECTOR_FAULT`: a detector threw or returned a score outside [0, 1] while streaming and was quarantined.
 */
export type VigilErrorCode =
  | 'EMPTY_INPUT'
  | 'LENGTH_MISMATCH'
  | 'UNSORTED_TIMESTAMPS'
  | 'DUPLICATE_TIMESTAMPS'
  | 'NON_FINITE_TIMESTAMP'
  | 'NON_FINITE_VALUE'
  | 'ALL_NAN'
  | 'COLUMN_MISMATCH'
  | 'RAGGED_ROWS'
  | 'TOO_SHORT'
  | 'CONSTANT_INPUT'
  | 'INVALID_OPTION'
  | 'NOT_FITTED'
  | 'NOT_READY'
  | 'CSV_PARSE'
  | 'UNKNOWN_KIND'
  | 'SNAPSHOT_VERSION'
  | 'INVALID_SNAPSHOT'
  | 'FUTURE_TIMESTAMP'
  | 'SERIES_LIMIT'
  | 'FIT_TIMEOUT'
  | 'DETECTOR_FAULT';

import { VigilError, type VigilErrorDetails } from '@vigil/errors';

// The base lives in @vigil/errors so that every package's errors (ManifestError, VigilEbpfError) share it; core
// re-exports it so that `import { VigilError } from '@vigil/core'` keeps working.
export type { VigilErrorDetails };
export { VigilError };

/**
 * Long work (a detector's `fit`, a benchmark) stopped because its `AbortSignal` was aborted. Its `name` is
 * `'AbortError'`, as for `fetch` and the other platform APIs, and its `cause` is the signal's reason.
 *
 * @example
 * try { await detector.fit(train, { signal }); } catch (e) { if (e instanceof VigilAbortError) return; throw e; }
 */
export class VigilAbortError extends VigilError<'ABORTED'> {
  constructor(message: string, reason?: unknown) {
    super('ABORTED', message, reason === undefined ? {} : { cause: reason });
    this.name = 'AbortError';
  }
}

/**
 * Bad input or configuration, thrown at the call that received it; nothing already accepted is lost.
 * The third argument is the field at fault, or the full {@link VigilErrorDetails}.
 *
 * @example
 * try { toSeries({ timestamps: [], values: [] }); } catch (e) { if (e instanceof VigilInputError) e.code; } // 'EMPTY_INPUT'
 */
export class VigilInputError extends VigilError<VigilErrorCode> {
  constructor(code: VigilErrorCode, message: string, field?: string | VigilErrorDetails) {
    super(code, message, typeof field === 'string' ? { field } : field);
    this.name = 'VigilInputError';
  }
}

/**
 * Throws `INVALID_OPTION` unless `value` is a finite number within `[min, max]` (and an integer when `integer`).
 *
 * @throws {VigilInputError} `INVALID_OPTION` naming the field, the rule and the value received.
 * @example
 * checkNumberOption('options.window', 60, { min: 2, integer: true }); // ok
 */
export function checkNumberOption(
  field: string,
  value: unknown,
  rule: { min?: number; max?: number; integer?: boolean; exclusiveMin?: boolean; exclusiveMax?: boolean },
): number {
  const { min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY } = rule;
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (rule.exclusiveMin ? value > min : value >= min) &&
    (rule.exclusiveMax ? value < max : value <= max) &&
    (!rule.integer || Number.isInteger(value));
  if (!ok) {
    const lo = Number.isFinite(min) ? `${rule.exclusiveMin ? '>' : '>='} ${min}` : '';
    const hi = Number.isFinite(max) ? `${rule.exclusiveMax ? '<' : '<='} ${max}` : '';
    const range = [lo, hi].filter(Boolean).join(' and ');
    throw new VigilInputError(
      'INVALID_OPTION',
      `${field} must be ${rule.integer ? 'an integer' : 'a finite number'}${range ? ` ${range}` : ''}; got ${String(value)}.`,
      field,
    );
  }
  return value as number;
}
