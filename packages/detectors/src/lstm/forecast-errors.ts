/**
 * Combines multi-step forecasts into one forecast per point: point i receives a k-step-ahead forecast from each
 * window ending at i − k (k = 1 … horizon) and takes their mean — Telemanom's aggregation of the diagonal of the
 * prediction matrix (Hundman et al. 2018, §3.1). `pred` holds `count × horizon × d` values, window s forecasting
 * rows `s + window …`; the first `window` points have no forecast (NaN).
 */
export function aggregateForecasts(
  pred: Float32Array,
  n: number,
  d: number,
  window: number,
  horizon: number,
): Float64Array {
  const expected = new Float64Array(n * d).fill(Number.NaN);
  for (let i = window; i < n; i++) {
    for (let j = 0; j < d; j++) {
      let sum = 0;
      let m = 0;
      for (let k = 1; k <= horizon; k++) {
        const s = i - window - k + 1;
        if (s < 0) break;
        sum += pred[(s * horizon + k - 1) * d + j];
        m++;
      }
      expected[i * d + j] = sum / m;
    }
  }
  return expected;
}

/**
 * The prediction error of each point in scaled units: the root mean square over columns of
 * `row − expected`, so one column's error and a joint shift of all columns are judged on one scale. NaN where the
 * point has no forecast or a missing value.
 *
 * @example
 * predictionErrors(Float32Array.of(0, 3), Uint8Array.of(1, 1), Float64Array.of(NaN, 1), 1); // [NaN, 2]
 */
export function predictionErrors(
  rows: Float32Array,
  observed: Uint8Array,
  expected: Float64Array,
  d: number,
): Float64Array {
  const n = observed.length;
  const errors = new Float64Array(n);
  for (let i = 0; i < n; i++)
    errors[i] = observed[i] ? rowError(rows, i * d, expected, i * d, d) : Number.NaN;
  return errors;
}

/** Root mean square over `d` columns of `a[ai + j] − b[bi + j]` (NaN when b has no forecast). */
export function rowError(
  a: ArrayLike<number>,
  ai: number,
  b: ArrayLike<number>,
  bi: number,
  d: number,
): number {
  let sq = 0;
  for (let j = 0; j < d; j++) {
    const e = a[ai + j] - b[bi + j];
    sq += e * e;
  }
  return Math.sqrt(sq / d);
}
