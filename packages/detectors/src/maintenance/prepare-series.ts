import { type Series, type SeriesLike, toSeries, VigilInputError } from '@vigil/core';

/**
 * Validates a maintenance input: a series with at least `minPoints` non-missing values that are not all equal.
 *
 * @throws {VigilInputError} as `toSeries`; `TOO_SHORT` when there are too few values, `CONSTANT_INPUT` when they never change.
 */
export function prepareSeries(input: SeriesLike, minPoints: number, purpose: string): Series {
  const series = toSeries(input);
  let present = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of series.values) {
    if (Number.isNaN(v)) continue;
    present++;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  if (present < minPoints) {
    throw new VigilInputError(
      'TOO_SHORT',
      `${purpose} needs at least ${minPoints} non-missing values; got ${present}. Pass a longer window.`,
      'values',
    );
  }
  if (min === max) {
    throw new VigilInputError(
      'CONSTANT_INPUT',
      `${purpose} needs values that change, but all ${present} values equal ${min}; a flat metric carries no trend (check that it is still being collected, or pass a longer window).`,
      'values',
    );
  }
  return series;
}

/** Median spacing of the timestamps, ms. */
export function medianStep(timestamps: Float64Array): number {
  const steps = new Float64Array(timestamps.length - 1);
  for (let i = 1; i < timestamps.length; i++) steps[i - 1] = timestamps[i] - timestamps[i - 1];
  steps.sort();
  const m = steps.length >> 1;
  return steps.length % 2 === 1 ? steps[m] : (steps[m - 1] + steps[m]) / 2;
}
