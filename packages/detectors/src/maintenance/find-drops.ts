import { quantileSorted } from '@vigil/core';
import { MAD_TO_SIGMA } from '../statistical/mad.js';

/** A sudden fall of the level: a clean-up, a GC, a restart. Indices refer to the input arrays. */
export interface Drop {
  /** Index of the last point before the fall (the peak). */
  readonly from: number;
  /** Index of the first point after the fall (the trough). */
  readonly to: number;
  /** How much the level fell, in value units (> 0). */
  readonly amount: number;
}

/** Options of {@link findDrops}. */
export interface FindDropsOptions {
  /**
   * Smallest fall, in value units, that counts as a drop. Default: the larger of 6 robust standard deviations of
   * the point-to-point differences (1.4826·MAD) and 2 % of the 1–99 % range of the values.
   */
  readonly threshold?: number;
  /**
   * With the default threshold, once two or more drops pass it, look again with half their median size, so that
   * clean-ups of the same kind which noise pushed just under the threshold are not missed; default true.
   */
  readonly hysteresis?: boolean;
}

/**
 * The default drop threshold of {@link findDrops}: max(6·1.4826·MAD(Δy), 0.02·(q₉₉ − q₁)), so ordinary noise
 * (a 6σ step is rarer than one in 10⁸ for Gaussian noise) is not mistaken for a clean-up.
 *
 * @param y - observations in time order; NaN skipped.
 * @example
 * dropThreshold([0, 1, 2, 3, 0, 1, 2, 3]); // 0.06 (MAD of the differences is 0, so 2 % of the range wins)
 */
export function dropThreshold(y: ArrayLike<number>): number {
  const present = Float64Array.from(y).filter((v) => !Number.isNaN(v));
  if (present.length < 2) return 0;
  const diffs = new Float64Array(present.length - 1);
  for (let i = 1; i < present.length; i++) diffs[i - 1] = present[i] - present[i - 1];
  diffs.sort();
  const median = quantileSorted(diffs, 0.5);
  const deviations = diffs.map((d) => Math.abs(d - median)).sort();
  const sigma = MAD_TO_SIGMA * quantileSorted(deviations, 0.5);
  present.sort();
  const range = quantileSorted(present, 0.99) - quantileSorted(present, 0.01);
  return Math.max(6 * sigma, 0.02 * range);
}

/**
 * Finds sudden falls of the level: maximal runs of consecutive decreases (over non-missing points) whose total
 * exceeds the threshold and whose largest step is at least half of it (then, by default, half the median size of the drops found: see `hysteresis`). A
 * clean-up that takes two samples is one drop, not two.
 *
 * @param y - observations in time order; NaN skipped.
 * @example
 * findDrops([0, 1, 2, 3, 0.5, 1.5, 2.5]); // [{ from: 3, to: 4, amount: 2.5 }]
 */
export function findDrops(y: ArrayLike<number>, options: FindDropsOptions = {}): Drop[] {
  const drops = dropsAbove(y, options.threshold ?? dropThreshold(y));
  if (options.threshold !== undefined || options.hysteresis === false || drops.length < 2) return drops;
  const sizes = Float64Array.from(drops, (d) => d.amount).sort();
  return dropsAbove(y, 0.5 * quantileSorted(sizes, 0.5));
}

function dropsAbove(y: ArrayLike<number>, threshold: number): Drop[] {
  const valid: number[] = [];
  for (let i = 0; i < y.length; i++) if (!Number.isNaN(y[i])) valid.push(i);
  const drops: Drop[] = [];
  for (let k = 1; k < valid.length; k++) {
    if (!(y[valid[k]] < y[valid[k - 1]])) continue;
    let end = k;
    let largestStep = y[valid[k - 1]] - y[valid[k]];
    while (end + 1 < valid.length && y[valid[end + 1]] < y[valid[end]]) {
      end++;
      largestStep = Math.max(largestStep, y[valid[end - 1]] - y[valid[end]]);
    }
    const amount = y[valid[k - 1]] - y[valid[end]];
    // A clean-up is sudden: one step carries at least half of the threshold. A smooth decline (the night side of a
    // daily cycle) is a long run of small steps and is not one.
    if (amount > threshold && largestStep >= threshold / 2)
      drops.push({ from: valid[k - 1], to: valid[end], amount });
    k = end;
  }
  return drops;
}
