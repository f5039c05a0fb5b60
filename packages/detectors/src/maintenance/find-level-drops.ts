import { quantileSorted } from '@vigil/core';
import { MAD_TO_SIGMA } from '../statistical/mad.js';

function median3(a: ArrayLike<number>, from: number): number {
  const x = a[from];
  const y = a[from + 1];
  const z = a[from + 2];
  return Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
}

/**
 * Indices where the level of a noisy sequence falls for good (a process restart seen in its per-cycle minima):
 * the median of the next three values lies more than `k` robust standard deviations below the median of the
 * previous three. The noise scale is 1.4826·MAD of the first differences / √2; each fall is reported once, at
 * its sharpest index. Needs at least 6 values, otherwise returns none.
 *
 * @param values - the sequence (no NaN), e.g. the floor of each GC cycle.
 * @param k - threshold in standard deviations; default 5 (a difference of two medians of three has a standard
 *   deviation of about 0.95σ, so 5σ is rarer than one in a million for Gaussian noise).
 * @returns indices of the first value after each fall.
 * @example
 * findLevelDrops([10, 11, 10, 11, 10, 11, 0, 1, 0, 1, 0, 1]); // [6]
 */
export function findLevelDrops(values: ArrayLike<number>, k = 5): number[] {
  const n = values.length;
  if (n < 6) return [];
  const diffs = new Float64Array(n - 1);
  for (let i = 1; i < n; i++) diffs[i - 1] = values[i] - values[i - 1];
  diffs.sort();
  const center = quantileSorted(diffs, 0.5);
  const deviations = diffs.map((d) => Math.abs(d - center)).sort();
  const sigma = (MAD_TO_SIGMA * quantileSorted(deviations, 0.5)) / Math.SQRT2;
  const scores = new Float64Array(n);
  for (let i = 3; i + 3 <= n; i++) scores[i] = median3(values, i - 3) - median3(values, i);
  const drops: number[] = [];
  for (let i = 3; i + 3 <= n; i++) {
    if (!(scores[i] > k * sigma) || scores[i] <= 0) continue;
    let best = i;
    while (i + 1 + 3 <= n && scores[i + 1] > k * sigma) if (scores[++i] > scores[best]) best = i;
    drops.push(best);
  }
  return drops;
}
