import { VigilInputError } from '@vigil/core';
import { normalCdf, normalQuantile } from '../stats/normal-distribution.js';
import { kendallVarianceS } from './kendall-variance.js';
import { theilSen } from './theil-sen.js';

/** Result of {@link mannKendall}. */
export interface MannKendallResult {
  /** S = Σ_{i<j} sign(y_j − y_i) over non-missing values. */
  readonly s: number;
  /** Var(S) with the tie correction, before any autocorrelation correction. */
  readonly varS: number;
  /** Hamed–Rao n/n* (≥ 1; exactly 1 with `correction: 'none'`); the variance used is `varS · varianceInflation`. */
  readonly varianceInflation: number;
  /** Standard normal statistic with continuity correction, (S ∓ 1)/√(Var(S)·n/n*). */
  readonly z: number;
  /** Two-sided p-value of "no monotonic trend". */
  readonly pValue: number;
  /** Kendall's tau = S / (n(n−1)/2). */
  readonly tau: number;
  /** `'increasing'` or `'decreasing'` when pValue < alpha, else `'none'`. */
  readonly trend: 'increasing' | 'decreasing' | 'none';
  /** Non-missing points used. */
  readonly n: number;
}

/** Options of {@link mannKendall}. */
export interface MannKendallOptions {
  /** Significance level for `trend`; default 0.05. */
  readonly alpha?: number;
  /**
   * `'hamed-rao'` (default) inflates Var(S) by n/n* computed from the significant autocorrelations of the ranks of
   * the Sen-detrended series (Hamed & Rao 1998); `'none'` is the original test, valid for independent data only.
   * The correction is estimated from the sample, so with strong autocorrelation it stays liberal: on AR(1) noise
   * with φ = 0.7 and n = 100 about 20 % of trend-free series test significant at 5 % (about 40 % uncorrected).
   */
  readonly correction?: 'hamed-rao' | 'none';
}

function averageRanks(values: Float64Array): Float64Array {
  const order = Array.from(values.keys()).sort((a, b) => values[a] - values[b]);
  const ranks = new Float64Array(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1]] === values[order[i]]) j++;
    for (let k = i; k <= j; k++) ranks[order[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return ranks;
}

// Hamed & Rao 1998, eq. 18: n/n* = 1 + 2/(n(n−1)(n−2)) Σ (n−k)(n−k−1)(n−k−2) ρ_k over lags whose rank
// autocorrelation is significant at 5 %. Negative autocorrelation would shrink the variance and make a trend look
// more certain than independent data could; we floor the factor at 1 so the correction is only ever conservative.
function hamedRaoInflation(y: Float64Array): number {
  const n = y.length;
  if (n < 4) return 1;
  const index = Float64Array.from(y.keys());
  const slope = theilSen(index, y).slope;
  const ranks = averageRanks(y.map((v, i) => v - slope * i));
  const mean = (n + 1) / 2;
  let denominator = 0;
  for (let i = 0; i < n; i++) denominator += (ranks[i] - mean) ** 2;
  if (denominator === 0) return 1;
  const bound = normalQuantile(0.975) / Math.sqrt(n);
  let sum = 0;
  for (let k = 1; k < n - 2; k++) {
    let numerator = 0;
    for (let i = 0; i + k < n; i++) numerator += (ranks[i] - mean) * (ranks[i + k] - mean);
    const rho = numerator / denominator;
    if (Math.abs(rho) > bound) sum += (n - k) * (n - k - 1) * (n - k - 2) * rho;
  }
  return Math.max(1, 1 + (2 / (n * (n - 1) * (n - 2))) * sum);
}

/**
 * Mann–Kendall test for a monotonic trend (Mann 1945; Kendall 1975), by default with the Hamed & Rao (1998)
 * variance correction for autocorrelated data. NaN values are skipped. O(n²) time.
 *
 * @param y - observations in time order (equally spaced for the Hamed–Rao correction to be meaningful).
 * @throws {VigilInputError} `TOO_SHORT` with fewer than 3 non-missing values; `INVALID_OPTION` for alpha.
 * @example
 * mannKendall([1, 2, 3, 4, 5], { correction: 'none' }); // s 10, varS 16.67, z 2.2045, pValue 0.0275
 */
export function mannKendall(y: ArrayLike<number>, options: MannKendallOptions = {}): MannKendallResult {
  const alpha = options.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 1)) {
    throw new VigilInputError('INVALID_OPTION', `alpha must be in (0, 1); got ${alpha}.`, 'options.alpha');
  }
  const values = Float64Array.from(y).filter((v) => !Number.isNaN(v));
  const n = values.length;
  if (n < 3) {
    throw new VigilInputError(
      'TOO_SHORT',
      `The Mann–Kendall test needs at least 3 non-missing values; got ${n}. Collect more points.`,
      'y',
    );
  }
  let s = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) s += Math.sign(values[j] - values[i]);
  const varS = kendallVarianceS(values);
  const varianceInflation = options.correction === 'none' ? 1 : hamedRaoInflation(values);
  const sd = Math.sqrt(varS * varianceInflation);
  const z = sd === 0 ? 0 : s > 0 ? (s - 1) / sd : s < 0 ? (s + 1) / sd : 0;
  const pValue = Math.min(1, 2 * (1 - normalCdf(Math.abs(z))));
  const trend = pValue < alpha ? (z > 0 ? 'increasing' : 'decreasing') : 'none';
  return { s, varS, varianceInflation, z, pValue, tau: s / ((n * (n - 1)) / 2), trend, n };
}
