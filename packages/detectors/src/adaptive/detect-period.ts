import { medianInPlace } from '../statistical/select.js';

/** A day and a week in ms: the cycles metrics of people and machines follow. */
export const DAY_MS = 86_400_000;
export const WEEK_MS = 7 * DAY_MS;

/**
 * The typical sampling interval of a time axis: the median gap between consecutive timestamps, in ms (NaN with fewer
 * than two points).
 */
export function typicalStep(timestamps: ArrayLike<number>): number {
  const n = timestamps.length;
  if (n < 2) return Number.NaN;
  const gaps = new Float64Array(n - 1);
  for (let i = 1; i < n; i++) gaps[i - 1] = timestamps[i] - timestamps[i - 1];
  return medianInPlace(gaps, n - 1);
}

/**
 * Sample autocorrelation of `values` at `lag` (Box & Jenkins' estimator: lagged products over the full-sample
 * variance), skipping pairs with a NaN; 0 when there are fewer than `lag + 10` values or no variance.
 *
 * @example
 * autocorrelation([1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2], 2); // ≈ 0.83
 */
export function autocorrelation(values: ArrayLike<number>, lag: number): number {
  const n = values.length;
  if (lag < 1 || n < lag + 10) return 0;
  let sum = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isNaN(values[i])) {
      sum += values[i];
      count++;
    }
  }
  if (count === 0) return 0;
  const mean = sum / count;
  let den = 0;
  let num = 0;
  for (let i = 0; i < n; i++) {
    const a = values[i] - mean;
    if (Number.isNaN(a)) continue;
    den += a * a;
    if (i + lag < n && !Number.isNaN(values[i + lag])) num += a * (values[i + lag] - mean);
  }
  return den > 0 ? num / den : 0;
}

/**
 * The seasonal period of a series among `candidates` (ms): the one whose lag, in typical steps, has the highest
 * autocorrelation of at least `minAutocorrelation`, considering only periods the data covers at least twice.
 * Returns null when no candidate qualifies.
 *
 * @example
 * detectPeriod(fiveMinuteTimestamps, cpu); // 86_400_000 for a daily cycle
 */
export function detectPeriod(
  timestamps: ArrayLike<number>,
  values: ArrayLike<number>,
  candidates: readonly number[] = [DAY_MS, WEEK_MS],
  minAutocorrelation = 0.3,
): number | null {
  const step = typicalStep(timestamps);
  if (!(step > 0)) return null;
  const span = timestamps[timestamps.length - 1] - timestamps[0];
  return periodAtStep(values, step, span, candidates, minAutocorrelation);
}

/**
 * {@link detectPeriod} for values sampled every `step` ms over `span` ms (a detector's own history, which keeps
 * values but not their timestamps).
 */
export function periodAtStep(
  values: ArrayLike<number>,
  step: number,
  span: number,
  candidates: readonly number[] = [DAY_MS, WEEK_MS],
  minAutocorrelation = 0.3,
): number | null {
  let best: number | null = null;
  let bestAcf = minAutocorrelation;
  for (const period of candidates) {
    if (span < 2 * period) continue;
    const acf = autocorrelation(values, Math.round(period / step));
    if (acf >= bestAcf) {
      best = period;
      bestAcf = acf;
    }
  }
  return best;
}

/** Lags {@link findCycle} looks at by default, at most (in steps): a longer cycle is not looked for. */
export const MAX_CYCLE_LAG = 2048;

/**
 * A cycle of any length in evenly sampled `values` (the last 2 · `maxLag` of them): the lag, in steps, of the
 * highest autocorrelation peak that is at least `minPeak` and rises at least `minRise` above the lowest
 * autocorrelation at a shorter lag — a real return of the pattern, not the slow decay of a trend or a random walk,
 * whose autocorrelation only falls. The data must cover the cycle twice. Null when none qualifies. Costs about
 * 2 · maxLag² multiply-adds.
 *
 * For metrics on cycles other than the day and the week (a batch job every 5 hours, a 12-hour shift pattern, a
 * garbage collector's sawtooth), and for series whose timestamps are sample numbers rather than times.
 *
 * @example
 * findCycle(Array.from({ length: 200 }, (_, i) => Math.sin((2 * Math.PI * i) / 12))); // 12
 */
export function findCycle(
  values: ArrayLike<number>,
  maxLag = MAX_CYCLE_LAG,
  minPeak = 0.5,
  minRise = 0.5,
): number | null {
  const all = values.length;
  const from = Math.max(0, all - 2 * maxLag);
  const n = all - from;
  const lags = Math.min(maxLag, Math.floor(n / 2));
  if (lags < 3) return null;
  const x = new Float64Array(n);
  let sum = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const v = values[from + i];
    if (!Number.isNaN(v)) {
      sum += v;
      count++;
    }
  }
  if (count < 20) return null;
  const mean = sum / count;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const v = values[from + i];
    x[i] = Number.isNaN(v) ? 0 : v - mean;
    den += x[i] * x[i];
  }
  if (!(den > 0)) return null;
  const acf = new Float64Array(lags + 2);
  for (let lag = 1; lag <= lags + 1 && lag < n; lag++) {
    let num = 0;
    for (let i = 0; i + lag < n; i++) num += x[i] * x[i + lag];
    acf[lag] = num / den;
  }
  let best: number | null = null;
  let bestAcf = minPeak;
  let lowest = acf[1];
  for (let lag = 2; lag <= lags; lag++) {
    lowest = Math.min(lowest, acf[lag]);
    const peak = acf[lag] >= acf[lag - 1] && acf[lag] > acf[lag + 1];
    if (peak && acf[lag] >= bestAcf && acf[lag] - lowest >= minRise) {
      best = lag;
      bestAcf = acf[lag];
    }
  }
  return best;
}
