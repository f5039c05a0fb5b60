/** Per-column standardisation learnt at fit: `z = (x − mean) / std`. */
export interface Scaler {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/**
 * Fits a {@link Scaler} on column-major data, ignoring NaN. A column whose std is below 1e-9 of its |mean| (a constant
 * one) gets std 1e-9·|mean| (1 when the mean is 0) so that it scales to 0 instead of dividing by zero.
 *
 * @example
 * fitScaler([Float64Array.of(1, 2, 3)]); // { mean: [2], std: [0.8165] } (population std)
 */
export function fitScaler(columns: readonly ArrayLike<number>[]): Scaler {
  const mean: number[] = [];
  const std: number[] = [];
  for (const col of columns) {
    let n = 0;
    let m = 0;
    let m2 = 0;
    // Welford's update: one pass, no cancellation on large offsets such as byte counters.
    for (let i = 0; i < col.length; i++) {
      const v = col[i];
      if (Number.isNaN(v)) continue;
      n++;
      const d = v - m;
      m += d / n;
      m2 += d * (v - m);
    }
    const s = n > 0 ? Math.sqrt(m2 / n) : 0;
    mean.push(m);
    // A (near-)constant column is scaled by a floor relative to its level, so that a departure from it is a large
    // input and a large error however small or large the level is; only an all-zero column falls back to 1.
    const floor = 1e-9 * Math.abs(m);
    std.push(s > floor ? s : floor > 0 ? floor : 1);
  }
  return { mean, std };
}

/**
 * Scales column-major data into one row-major Float32Array (`out[i * d + j]`), carrying the last observed value
 * forward over NaN (leading NaN become 0, the training mean) so that every window has a full input; `observed[i]`
 * is 0 where any column of row i was missing.
 */
export function scaleRows(
  columns: readonly ArrayLike<number>[],
  scaler: Scaler,
  carry?: ArrayLike<number>,
): { rows: Float32Array; observed: Uint8Array } {
  const d = columns.length;
  const n = d > 0 ? columns[0].length : 0;
  const rows = new Float32Array(n * d);
  const observed = new Uint8Array(n).fill(1);
  for (let j = 0; j < d; j++) {
    const col = columns[j];
    const mean = scaler.mean[j];
    const std = scaler.std[j];
    let last = carry ? carry[j] : 0;
    for (let i = 0; i < n; i++) {
      const v = col[i];
      if (Number.isNaN(v)) observed[i] = 0;
      else last = (v - mean) / std;
      rows[i * d + j] = last;
    }
  }
  return { rows, observed };
}
