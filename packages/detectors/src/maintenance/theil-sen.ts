import { VigilInputError } from '@vigil/core';
import { normalQuantile } from '../stats/normal-distribution.js';
import { kendallVarianceS } from './kendall-variance.js';

/** A Theil–Sen line `y = intercept + slope·x` with a distribution-free confidence interval on the slope. */
export interface TheilSenFit {
  /** Median of the pairwise slopes, in y units per x unit. */
  readonly slope: number;
  /** Median of `y − slope·x` (Conover 1980), so the line passes through the data's middle. */
  readonly intercept: number;
  /** Lower and upper confidence limits of the slope at level `1 − alpha`. */
  readonly lower: number;
  readonly upper: number;
  /** Points used (after dropping NaN) and number of pairwise slopes. */
  readonly n: number;
  readonly pairs: number;
}

/** Options of {@link theilSen}. */
export interface TheilSenOptions {
  /** Two-sided significance level of the slope interval; default 0.05 (a 95 % interval). */
  readonly alpha?: number;
  /**
   * Factor (≥ 1) on Var(S) for serially correlated data, e.g. Hamed–Rao's n/n* from {@link mannKendall}; default 1.
   */
  readonly varianceInflation?: number;
  /**
   * Group id per point (equal ids contiguous): only pairs inside a group count, e.g. cycles between restarts,
   * so a level reset between groups does not bias the slope. Default: one group.
   */
  readonly groups?: ArrayLike<number>;
}

function medianOfSorted(a: Float64Array): number {
  const m = a.length >> 1;
  return a.length % 2 === 1 ? a[m] : (a[m - 1] + a[m]) / 2;
}

/**
 * Theil–Sen robust line: the slope is the median of all pairwise slopes (Theil 1950; Sen 1968), and its
 * confidence interval takes the order statistics M1 = (N − C)/2 and M2 = (N + C)/2 + 1 of the N sorted slopes,
 * with C = z₁₋α/₂·√Var(S) (Sen 1968; Gilbert 1987 §16.5). Pairs with NaN or equal x are skipped.
 * O(n²) time and memory: subsample long inputs first.
 *
 * @param x - abscissae (e.g. time in hours), same length as `y`.
 * @param y - observations; NaN marks a missing one.
 * @throws {VigilInputError} `LENGTH_MISMATCH` when lengths differ, `TOO_SHORT` with fewer than 2 usable pairs,
 *   `INVALID_OPTION` for alpha outside (0, 1) or an inflation below 1.
 * @example
 * theilSen([1, 2, 3, 4], [1, 3, 2, 5]).slope; // (1 + 4/3) / 2 = 1.1666…
 */
export function theilSen(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  options: TheilSenOptions = {},
): TheilSenFit {
  const alpha = options.alpha ?? 0.05;
  const inflation = options.varianceInflation ?? 1;
  if (!(alpha > 0 && alpha < 1)) {
    throw new VigilInputError('INVALID_OPTION', `alpha must be in (0, 1); got ${alpha}.`, 'options.alpha');
  }
  if (!(inflation >= 1 && Number.isFinite(inflation))) {
    throw new VigilInputError(
      'INVALID_OPTION',
      `varianceInflation must be a finite number >= 1; got ${inflation}.`,
      'options.varianceInflation',
    );
  }
  if (x.length !== y.length || (options.groups && options.groups.length !== y.length)) {
    throw new VigilInputError(
      'LENGTH_MISMATCH',
      `x has ${x.length} entries, y ${y.length}${options.groups ? `, groups ${options.groups.length}` : ''}; pass one per point.`,
      'y',
    );
  }
  const keep: number[] = [];
  for (let i = 0; i < y.length; i++) if (!Number.isNaN(y[i]) && !Number.isNaN(x[i])) keep.push(i);
  const n = keep.length;
  const groupOf = (i: number) => (options.groups ? options.groups[i] : 0);
  let pairs = 0;
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n && groupOf(keep[b]) === groupOf(keep[a]); b++)
      if (x[keep[b]] !== x[keep[a]]) pairs++;
  }
  if (pairs < 1) {
    throw new VigilInputError(
      'TOO_SHORT',
      `Theil–Sen needs at least 2 non-missing points with different x in one group; got ${n} usable point(s).`,
      'y',
    );
  }
  const slopes = new Float64Array(pairs);
  let k = 0;
  let variance = 0;
  let start = 0;
  for (let a = 0; a < n; a++) {
    const ia = keep[a];
    for (let b = a + 1; b < n && groupOf(keep[b]) === groupOf(ia); b++) {
      const ib = keep[b];
      if (x[ib] !== x[ia]) slopes[k++] = (y[ib] - y[ia]) / (x[ib] - x[ia]);
    }
    if (a === n - 1 || groupOf(keep[a + 1]) !== groupOf(ia)) {
      variance += kendallVarianceS(keep.slice(start, a + 1).map((i) => y[i]));
      start = a + 1;
    }
  }
  slopes.sort();
  const slope = medianOfSorted(slopes);
  const offsets = Float64Array.from(keep, (i) => y[i] - slope * x[i]).sort();
  const c = normalQuantile(1 - alpha / 2) * Math.sqrt(variance * inflation);
  const clamp = (i: number) => Math.min(pairs - 1, Math.max(0, i));
  const lowerIndex = clamp(Math.round((pairs - c) / 2) - 1);
  const upperIndex = clamp(Math.round((pairs + c) / 2));
  return {
    slope,
    intercept: medianOfSorted(offsets),
    lower: slopes[lowerIndex],
    upper: slopes[upperIndex],
    n,
    pairs,
  };
}
