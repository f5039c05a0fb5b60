import { median, medianAbsoluteDeviation } from 'simple-statistics';

/** Scale that turns a MAD into a standard deviation for normal data (1 / Φ⁻¹(3/4)). */
const MAD_TO_SIGMA = 1.4826;

/** Where and how much a series changed around an anomaly event. */
export interface ChangeEstimate {
  /** Timestamp (ms) of the first point after the change. */
  readonly onset: number;
  /** Median of the points before the onset (up to `baselinePoints` of them). */
  readonly baseline: number;
  /** Their spread: MAD × 1.4826, or the standard deviation when the MAD is 0, floored above 0. */
  readonly sigma: number;
  /** Median of the points from the onset to the event's end (at most `afterPoints`). */
  readonly level: number;
  /** `(level − baseline) / sigma`: how many baseline deviations the series moved. */
  readonly z: number;
  /**
   * Points, of the `2 × afterPoints` from the onset, still shifted by more than half the change (and 3 σ) in its
   * direction: how long the disturbance lasted.
   */
  readonly sustained: number;
}

/** Options of {@link estimateChange}. */
export interface ChangeOptions {
  /** Points before the event start searched for the change. Default 30. */
  readonly lookback?: number;
  /** Points after the event start also searched (a detector can flag a change late). Default 5. */
  readonly lookahead?: number;
  /** Points before the onset that make the baseline. Default 60. */
  readonly baselinePoints?: number;
  /** Points after the onset whose median is the new level. Default 30. */
  readonly afterPoints?: number;
}

/** First index with `times[i] >= t` (times sorted ascending); `times.length` when none. */
export function lowerBound(times: ArrayLike<number>, t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Estimates when and by how much a series changed around an anomaly event that started at `eventStart`: the single
 * change point that best splits the points near the start into two constant segments by least squares (Hinkley
 * 1970, "Inference about the change-point in a sequence of random variables"), then a robust baseline before it
 * and the median level after it. Detectors flag a small shift later than a large one; the change point does not
 * depend on that delay, so onsets of different series compare fairly. Missing values (NaN) are skipped.
 *
 * @returns the estimate, or `undefined` when there are fewer than 4 finite points around the event.
 * @example
 * // a step from 10 to 20 at t = 50 (one point per ms), flagged by a detector at t = 52
 * estimateChange(times, values, 52, 60).onset; // 50
 */
export function estimateChange(
  times: ArrayLike<number>,
  values: ArrayLike<number>,
  eventStart: number,
  eventEnd: number,
  options: ChangeOptions = {},
): ChangeEstimate | undefined {
  const { lookback = 30, lookahead = 5, baselinePoints = 60, afterPoints = 30 } = options;
  const s = lowerBound(times, eventStart);
  const endIdx = Math.max(s + 1, lowerBound(times, eventEnd + 1e-9));
  const from = Math.max(0, s - lookback);
  const to = Math.min(times.length, s + lookahead + 1, endIdx + lookahead);
  const idx: number[] = [];
  for (let i = from; i < to; i++) if (Number.isFinite(values[i])) idx.push(i);
  if (idx.length < 4) return undefined;

  // Maximise n_l n_r / n (mean_l − mean_r)², the drop in squared error from splitting, over every split.
  let total = 0;
  for (const i of idx) total += values[i];
  let left = 0;
  let bestGain = -1;
  let best = idx.length - 1;
  for (let k = 1; k < idx.length; k++) {
    left += values[idx[k - 1]];
    const nl = k;
    const nr = idx.length - k;
    const diff = left / nl - (total - left) / nr;
    const gain = ((nl * nr) / idx.length) * diff * diff;
    if (gain > bestGain) {
      bestGain = gain;
      best = k;
    }
  }
  const onsetIdx = idx[best];

  const before: number[] = [];
  for (let i = onsetIdx - 1; i >= 0 && before.length < baselinePoints; i--)
    if (Number.isFinite(values[i])) before.push(values[i]);
  const after: number[] = [];
  const afterEnd = Math.max(endIdx, onsetIdx + 1);
  for (let i = onsetIdx; i < times.length && i < afterEnd && after.length < afterPoints; i++)
    if (Number.isFinite(values[i])) after.push(values[i]);
  if (before.length < 2 || after.length === 0) return undefined;
  const baseline = median(before);
  const level = median(after);
  let sigma = MAD_TO_SIGMA * medianAbsoluteDeviation(before);
  if (!(sigma > 0)) {
    let ss = 0;
    for (const v of before) ss += (v - baseline) ** 2;
    sigma = Math.sqrt(ss / before.length);
  }
  // A flat baseline (an error count stuck at 0) has no spread: measure the change against a sliver of its size.
  const floor = 1e-3 * Math.max(Math.abs(baseline), Math.abs(level - baseline), Number.MIN_VALUE);
  sigma = Math.max(sigma, floor);
  const sign = level >= baseline ? 1 : -1;
  const bar = Math.max(3 * sigma, Math.abs(level - baseline) / 2);
  let sustained = 0;
  for (let i = onsetIdx; i < times.length && i < onsetIdx + 2 * afterPoints; i++) {
    if (sign * (values[i] - baseline) > bar) sustained++;
  }
  return { onset: times[onsetIdx], baseline, sigma, level, z: (level - baseline) / sigma, sustained };
}
