/**
 * The smoothing factor α of an exponentially weighted moving average with span `s`: `α = 2 / (s + 1)` (pandas'
 * `ewm(span=s)`, which Telemanom uses to smooth prediction errors; Hundman et al. 2018, §3.2). Span 1 means no
 * smoothing.
 *
 * @example
 * ewmaAlpha(3); // 0.5
 */
export function ewmaAlpha(span: number): number {
  return 2 / (span + 1);
}

/**
 * Smooths prediction errors: `s_i = α e_i + (1 − α) s_{i−1}`, starting from `start` (NaN: from
 * the first error). NaN errors (missing points) stay NaN and leave the average untouched, so one gap does not reset
 * the memory of a developing anomaly. Returns the smoothed errors and the final average.
 *
 * @example
 * smoothErrors(Float64Array.of(1, 3, Number.NaN, 3), 0.5); // { smoothed: [1, 2, NaN, 2.5], last: 2.5 }
 */
export function smoothErrors(
  errors: ArrayLike<number>,
  alpha: number,
  start = Number.NaN,
): { smoothed: Float64Array; last: number } {
  const smoothed = new Float64Array(errors.length);
  let s = start;
  for (let i = 0; i < errors.length; i++) {
    const e = errors[i];
    if (Number.isNaN(e)) {
      smoothed[i] = Number.NaN;
      continue;
    }
    s = Number.isNaN(s) ? e : alpha * e + (1 - alpha) * s;
    smoothed[i] = s;
  }
  return { smoothed, last: s };
}

/**
 * The half-width of the band of one point, in scaled units: the absolute error at which the smoothed error
 * reaches `limit` given the previous average `previous` — solving `α e + (1 − α) previous = limit` for e. It is 0
 * when the average already exceeds the limit (any value is anomalous), and +Infinity when the limit is infinite.
 *
 * @example
 * bandHalfWidth(3, 0.5, 1); // 5
 */
export function bandHalfWidth(limit: number, alpha: number, previous: number): number {
  if (!Number.isFinite(limit)) return Number.POSITIVE_INFINITY;
  const prior = Number.isNaN(previous) ? 0 : (1 - alpha) * previous;
  const w = Number.isNaN(previous) ? limit : (limit - prior) / alpha;
  return Math.max(0, w);
}
