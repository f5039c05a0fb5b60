import { VigilInputError } from '../errors.js';

/**
 * Checks that `timestamps` are finite and strictly increasing milliseconds (non-decreasing with `allowRepeated`).
 *
 * @throws {VigilInputError} `EMPTY_INPUT`, `NON_FINITE_TIMESTAMP`, `DUPLICATE_TIMESTAMPS` or `UNSORTED_TIMESTAMPS`.
 */
export function validateTimestamps(
  timestamps: ArrayLike<number>,
  what = 'series',
  allowRepeated = false,
): void {
  const n = timestamps.length;
  if (n === 0) {
    throw new VigilInputError('EMPTY_INPUT', `The ${what} is empty: pass at least one point.`, 'timestamps');
  }
  let prev = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const t = timestamps[i];
    if (typeof t !== 'number' || !Number.isFinite(t)) {
      throw new VigilInputError(
        'NON_FINITE_TIMESTAMP',
        `timestamps[${i}] of the ${what} is ${String(t)}; timestamps must be finite epoch milliseconds.`,
        'timestamps',
      );
    }
    if (t === prev && !allowRepeated) {
      throw new VigilInputError(
        'DUPLICATE_TIMESTAMPS',
        `timestamps[${i}] of the ${what} repeats ${t}; pass duplicates: 'last' or 'mean' to merge points that share a timestamp, or aggregate them first.`,
        'timestamps',
      );
    }
    if (t < prev) {
      throw new VigilInputError(
        'UNSORTED_TIMESTAMPS',
        `timestamps[${i}] = ${t} of the ${what} is earlier than timestamps[${i - 1}] = ${prev}; sort the points by time.`,
        'timestamps',
      );
    }
    prev = t;
  }
}

/**
 * Checks one value column: same length as the time axis, no ±Infinity, and at least one non-missing value.
 *
 * @throws {VigilInputError} `LENGTH_MISMATCH`, `NON_FINITE_VALUE` or `ALL_NAN`.
 */
export function validateValues(values: ArrayLike<number>, expectedLength: number, field = 'values'): void {
  if (values.length !== expectedLength) {
    throw new VigilInputError(
      'LENGTH_MISMATCH',
      `${field} has ${values.length} entries but there are ${expectedLength} timestamps; give one value per timestamp.`,
      field,
    );
  }
  let present = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number') {
      throw new VigilInputError(
        'NON_FINITE_VALUE',
        `${field}[${i}] is ${typeof v}; values must be numbers (NaN for missing).`,
        field,
      );
    }
    if (v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY) {
      throw new VigilInputError(
        'NON_FINITE_VALUE',
        `${field}[${i}] is ${v}; use NaN for a missing value and finite numbers otherwise.`,
        field,
      );
    }
    if (!Number.isNaN(v)) present++;
  }
  if (present === 0) {
    throw new VigilInputError(
      'ALL_NAN',
      `Every value of ${field} is missing (NaN); a detector needs at least some observed values.`,
      field,
    );
  }
}
