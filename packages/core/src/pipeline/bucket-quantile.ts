/**
 * The q-quantile of observations known only by bucket: `lower[i]`, `upper[i]` and `counts[i]` describe bucket i
 * (buckets sorted by value, not overlapping). The rank q·N is located in its bucket and interpolated linearly
 * inside it, as Prometheus' `histogram_quantile` does. Returns NaN when the buckets hold no observation.
 *
 * @example
 * // 10 observations in (0, 10], 10 in (10, 20]: the median is the top of the first bucket.
 * bucketQuantile([0, 10], [10, 20], [10, 10], 0.5); // 10
 */
export function bucketQuantile(
  lower: ArrayLike<number>,
  upper: ArrayLike<number>,
  counts: ArrayLike<number>,
  q: number,
): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i];
  if (!(total > 0)) return Number.NaN;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    if (c > 0 && below + c >= rank) {
      const lo = lower[i];
      const hi = upper[i];
      if (!Number.isFinite(lo)) return hi;
      if (!Number.isFinite(hi)) return lo;
      return lo + ((hi - lo) * (rank - below)) / c;
    }
    below += c;
  }
  return upper[counts.length - 1];
}
