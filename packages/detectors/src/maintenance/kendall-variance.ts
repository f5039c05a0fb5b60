/**
 * Variance of the Mann–Kendall statistic S under the no-trend hypothesis, corrected for ties:
 * Var(S) = [n(n−1)(2n+5) − Σ t(t−1)(2t+5)] / 18, summed over groups of t equal values (Kendall 1975;
 * Gilbert 1987, eq. 16.4). NaN values are ignored.
 *
 * @param y - the observations, in time order.
 * @example
 * kendallVarianceS([1, 2, 3, 4, 5]); // 16.666… (= 5·4·15/18)
 * kendallVarianceS([1, 1, 2]); // (3·2·11 − 2·1·9) / 18 = 2.666…
 */
export function kendallVarianceS(y: ArrayLike<number>): number {
  const sorted = Float64Array.from(y).filter((v) => !Number.isNaN(v));
  sorted.sort();
  const n = sorted.length;
  let variance = n * (n - 1) * (2 * n + 5);
  let run = 1;
  for (let i = 1; i <= n; i++) {
    if (i < n && sorted[i] === sorted[i - 1]) {
      run++;
      continue;
    }
    if (run > 1) variance -= run * (run - 1) * (2 * run + 5);
    run = 1;
  }
  return variance / 18;
}
