/**
 * Training pairs cut from row-major scaled data: each input is `window` consecutive rows and its target the next
 * `horizon` rows, flattened (`x[k * window * d + t * d + j]`, `y[k * horizon * d + s * d + j]`).
 */
export interface WindowSet {
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly count: number;
}

/**
 * Cuts every window whose inputs and targets were all observed (`observed[i] === 1`); windows touching a missing
 * value are left out rather than trained on carried-forward guesses.
 *
 * @example
 * // rows 0..9 of one column, window 3, horizon 2 → 6 pairs: [0,1,2]→[3,4] … [5,6,7]→[8,9]
 * makeWindows(rows, observed, 1, 3, 2).count; // 6
 */
export function makeWindows(
  rows: Float32Array,
  observed: Uint8Array,
  d: number,
  window: number,
  horizon: number,
): WindowSet {
  const n = observed.length;
  const span = window + horizon;
  const starts: number[] = [];
  // Count missing rows in the sliding span so each start is checked in O(1).
  let missing = 0;
  for (let i = 0; i < Math.min(span, n); i++) missing += observed[i] === 0 ? 1 : 0;
  for (let s = 0; s + span <= n; s++) {
    if (s > 0) missing += (observed[s + span - 1] === 0 ? 1 : 0) - (observed[s - 1] === 0 ? 1 : 0);
    if (missing === 0) starts.push(s);
  }
  const x = new Float32Array(starts.length * window * d);
  const y = new Float32Array(starts.length * horizon * d);
  for (let k = 0; k < starts.length; k++) {
    const s = starts[k];
    x.set(rows.subarray(s * d, (s + window) * d), k * window * d);
    y.set(rows.subarray((s + window) * d, (s + span) * d), k * horizon * d);
  }
  return { x, y, count: starts.length };
}

/**
 * Every input window of the data, complete or not (missing values already carried forward), for prediction: window
 * k covers rows `k … k + window − 1` and forecasts rows `k + window …`. There are `max(0, n − window + 1)` of them;
 * the last one forecasts past the end of the data.
 */
export function predictionWindows(rows: Float32Array, n: number, d: number, window: number): Float32Array {
  const count = Math.max(0, n - window + 1);
  const x = new Float32Array(count * window * d);
  for (let k = 0; k < count; k++) x.set(rows.subarray(k * d, (k + window) * d), k * window * d);
  return x;
}
