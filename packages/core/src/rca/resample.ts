import { lowerBound } from './change-point.js';

/**
 * A series on a regular grid `start + k·step` (k < n): each grid point takes the last observation in
 * `(g − step, g]`, NaN when there is none, so series sampled at different moments line up.
 *
 * @example
 * holdOnGrid([0, 60_000, 120_000], [1, 2, 3], 0, 60_000, 3); // Float64Array [1, 2, 3]
 */
export function holdOnGrid(
  times: ArrayLike<number>,
  values: ArrayLike<number>,
  start: number,
  step: number,
  n: number,
): Float64Array {
  const out = new Float64Array(n).fill(Number.NaN);
  let i = lowerBound(times, start - step + 1e-9);
  for (let k = 0; k < n; k++) {
    const g = start + k * step;
    while (i < times.length && times[i] <= g) i++;
    const last = i - 1;
    if (last >= 0 && times[last] > g - step) out[k] = values[last];
  }
  return out;
}

/** Median spacing of consecutive timestamps (NaN with fewer than two). */
export function medianStep(times: ArrayLike<number>, lastN = 64): number {
  const gaps: number[] = [];
  for (let i = Math.max(1, times.length - lastN); i < times.length; i++) gaps.push(times[i] - times[i - 1]);
  if (gaps.length === 0) return Number.NaN;
  gaps.sort((a, b) => a - b);
  return gaps[gaps.length >> 1];
}
