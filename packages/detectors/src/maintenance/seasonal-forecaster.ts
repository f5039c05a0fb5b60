import {
  checkNumberOption,
  quantileSorted,
  type Series,
  type SeriesLike,
  toSeries,
  VigilInputError,
} from '@vigil/core';
import { mannKendall } from './mann-kendall.js';
import { theilSen } from './theil-sen.js';

const HOUR = 3_600_000;
/** One day in milliseconds. */
export const DAY = 24 * HOUR;
/** One week in milliseconds. */
export const WEEK = 7 * DAY;

/** A forecast at given timestamps: the expected value and a band around it, in the series' units. */
export interface ForecastBand {
  readonly yhat: Float64Array;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
}

/**
 * What the maintenance functions need from a seasonal forecaster: fit on a series, then predict a value and a
 * band at any timestamps (past or future). Vigil's Prophet-style detector, or any model of your own, can be
 * passed through the `forecaster` option; {@link RobustSeasonalForecaster} is the default.
 */
export interface SeasonalForecaster {
  /** Learns from a validated series (timestamps in epoch ms, NaN for missing values). */
  fit(series: Series): void | Promise<void>;
  /** Expected value and band at `timestamps` (epoch ms, increasing). */
  predict(timestamps: Float64Array): ForecastBand | Promise<ForecastBand>;
}

/** Options of {@link RobustSeasonalForecaster}. */
export interface RobustSeasonalForecasterOptions {
  /**
   * Seasonal periods in ms. Default: a day and a week, each kept only when the data span at least two periods
   * and are sampled at least 12 times per period.
   */
  readonly periods?: readonly number[];
  /** Probability mass inside the band (Prophet's `intervalWidth`); default 0.9. */
  readonly intervalWidth?: number;
  /** Longest input the trend is fitted on (evenly thinned beyond it; Theil–Sen is O(n²)); default 600. */
  readonly maxPoints?: number;
  /** Allow a quadratic trend when the fill rate rises significantly; default true. */
  readonly acceleration?: boolean;
}

/** The trend the forecaster settled on, for evidence in results. Rates in value units per hour. */
export interface TrendSummary {
  /** `'linear'` over all data, `'accelerating'` (quadratic) or `'recent'` (linear over the latest half, slowing). */
  readonly shape: 'linear' | 'accelerating' | 'recent';
  /** Rate at the last observation, and its interval at the band's width. */
  readonly ratePerHour: number;
  readonly rateInterval: readonly [number, number];
  /** Change of the rate per hour (0 unless accelerating). */
  readonly accelerationPerHour2: number;
  /** Seasonal periods used, ms. */
  readonly periods: readonly number[];
}

interface Trend {
  level: number;
  slope: number;
  slopeLower: number;
  slopeUpper: number;
  accel: number;
  accelLower: number;
  accelUpper: number;
  shape: TrendSummary['shape'];
}

interface Profile {
  period: number;
  values: Float64Array;
}

function thin(length: number, maxPoints: number): number[] {
  if (length <= maxPoints) return Array.from({ length }, (_, i) => i);
  return Array.from({ length: maxPoints }, (_, i) => Math.round((i * (length - 1)) / (maxPoints - 1)));
}

function phaseBin(t: number, profile: Profile): number {
  const bins = profile.values.length;
  const phase = (((t % profile.period) + profile.period) % profile.period) / profile.period;
  return Math.min(bins - 1, Math.floor(phase * bins));
}

function seasonalOf(profiles: readonly Profile[], t: number): number {
  let s = 0;
  for (const p of profiles) if (p.values.length > 0) s += p.values[phaseBin(t, p)];
  return s;
}

/**
 * Default seasonal forecaster of the maintenance functions: a robust trend plus medians per phase of a day (hourly
 * bins) and a week (6-hour bins), with empirical residual quantiles as the band. The trend is a Theil–Sen line whose slope interval is
 * widened for autocorrelation (Hamed & Rao 1998); when Theil–Sen slopes of ten consecutive blocks rise
 * significantly, the trend becomes quadratic (accelerating fill), and when they fall significantly, only the latest
 * half is used (the fill is slowing). The band widens with the horizon as the slope (or acceleration) interval.
 *
 * @throws {VigilInputError} from `fit`: as `toSeries`, `TOO_SHORT` with fewer than 3 values; `INVALID_OPTION`.
 * @example
 * const f = new RobustSeasonalForecaster({ intervalWidth: 0.8 });
 * f.fit(series);
 * const { yhat, lower, upper } = f.predict(Float64Array.of(Date.UTC(2026, 0, 8)));
 */
export class RobustSeasonalForecaster implements SeasonalForecaster {
  readonly #periods: readonly number[] | undefined;
  readonly #width: number;
  readonly #maxPoints: number;
  readonly #acceleration: boolean;
  #tEnd = Number.NaN;
  #trend: Trend | undefined;
  #profiles: Profile[] = [];
  #qLow = 0;
  #qHigh = 0;

  constructor(options: RobustSeasonalForecasterOptions = {}) {
    this.#width = checkNumberOption('options.intervalWidth', options.intervalWidth ?? 0.9, {
      min: 0,
      max: 1,
      exclusiveMin: true,
      exclusiveMax: true,
    });
    this.#maxPoints = checkNumberOption('options.maxPoints', options.maxPoints ?? 600, {
      min: 12,
      integer: true,
    });
    options.periods?.forEach((p, i) => {
      checkNumberOption(`options.periods[${i}]`, p, { min: 0, exclusiveMin: true });
    });
    this.#periods = options.periods;
    this.#acceleration = options.acceleration ?? true;
  }

  /** The fitted trend, or undefined before `fit`. */
  get trend(): TrendSummary | undefined {
    const tr = this.#trend;
    if (!tr) return undefined;
    return {
      shape: tr.shape,
      ratePerHour: tr.slope,
      rateInterval: [tr.slopeLower, tr.slopeUpper],
      accelerationPerHour2: tr.accel,
      periods: this.#profiles.map((p) => p.period),
    };
  }

  /**
   * Fits trend, profiles and band on `input` (NaN values skipped); refitting replaces the previous fit.
   *
   * @throws {VigilInputError} as `toSeries`; `TOO_SHORT` with fewer than 3 non-missing values.
   */
  fit(input: SeriesLike): void {
    const series = toSeries(input);
    const keep: number[] = [];
    for (let i = 0; i < series.values.length; i++) if (!Number.isNaN(series.values[i])) keep.push(i);
    if (keep.length < 3) {
      throw new VigilInputError(
        'TOO_SHORT',
        `The forecaster needs at least 3 non-missing values; got ${keep.length}.`,
        'values',
      );
    }
    const t = Float64Array.from(keep, (i) => series.timestamps[i]);
    const y = Float64Array.from(keep, (i) => series.values[i]);
    this.#tEnd = t[t.length - 1];
    const x = t.map((ti) => (ti - this.#tEnd) / HOUR);
    const periods = this.#periods ?? this.#autoPeriods(t);
    let deseasonalized = y;
    const passes = periods.length > 0 ? 3 : 0;
    let trend = this.#fitTrend(x, y, passes === 0);
    // Backfitting (Hastie & Tibshirani 1990): each profile is refitted on what the trend and the other profiles
    // leave, so a weekend dip is not half-absorbed into the daily shape through the per-bin medians.
    this.#profiles = periods.map((period) => ({ period, values: new Float64Array(0) }));
    for (let pass = 0; pass < passes; pass++) {
      for (let k = 0; k < periods.length; k++) {
        const others = this.#profiles.filter((_, j) => j !== k);
        const residual = y.map((v, i) => v - this.#trendAt(trend, x[i], 0) - seasonalOf(others, t[i]));
        this.#profiles[k] = this.#fitProfile(t, residual, periods[k]);
      }
      deseasonalized = y.map((v, i) => v - seasonalOf(this.#profiles, t[i]));
      // Only the final trend needs its interval (the autocorrelation-corrected one is the costly part).
      trend = this.#fitTrend(x, deseasonalized, pass === passes - 1);
    }
    this.#trend = trend;
    const residual = deseasonalized.map((v, i) => v - this.#trendAt(trend, x[i], 0)).sort();
    this.#qLow = quantileSorted(residual, (1 - this.#width) / 2);
    this.#qHigh = quantileSorted(residual, (1 + this.#width) / 2);
  }

  /**
   * Expected value and band at `timestamps` (epoch ms); beyond the last observation the band also spreads with the
   * trend's rate (or acceleration) interval.
   *
   * @throws {VigilInputError} `NOT_FITTED` before `fit`.
   */
  predict(timestamps: Float64Array): ForecastBand {
    const trend = this.#trend;
    if (!trend) {
      throw new VigilInputError('NOT_FITTED', 'Call fit(series) before predict(timestamps).', 'forecaster');
    }
    const n = timestamps.length;
    const yhat = new Float64Array(n);
    const lower = new Float64Array(n);
    const upper = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const x = (timestamps[i] - this.#tEnd) / HOUR;
      const seasonal = this.#seasonalAt(timestamps[i]);
      const mid = this.#trendAt(trend, x, 0);
      const lo = x > 0 ? this.#trendAt(trend, x, -1) : mid;
      const hi = x > 0 ? this.#trendAt(trend, x, 1) : mid;
      yhat[i] = mid + seasonal;
      lower[i] = Math.min(lo, mid) + seasonal + this.#qLow;
      upper[i] = Math.max(hi, mid) + seasonal + this.#qHigh;
    }
    return { yhat, lower, upper };
  }

  #autoPeriods(t: Float64Array): number[] {
    const steps = new Float64Array(t.length - 1);
    for (let i = 1; i < t.length; i++) steps[i - 1] = t[i] - t[i - 1];
    steps.sort();
    const step = quantileSorted(steps, 0.5);
    const span = t[t.length - 1] - t[0];
    return [DAY, WEEK].filter((p) => span >= 2 * p && step <= p / 12);
  }

  #fitProfile(t: Float64Array, residual: Float64Array, period: number): Profile {
    const steps = (t[t.length - 1] - t[0]) / Math.max(1, t.length - 1);
    // The daily profile carries the shape within a day, so the weekly one only needs the day-of-week level; coarse
    // weekly bins keep enough points per bin that the profile's maximum is not just its noisiest median.
    const bins = Math.max(2, Math.min(period === WEEK ? 28 : 24, Math.round(period / steps)));
    const profile: Profile = { period, values: new Float64Array(bins) };
    const byBin: number[][] = Array.from({ length: bins }, () => []);
    for (let i = 0; i < t.length; i++) byBin[phaseBin(t[i], profile)].push(residual[i]);
    for (let b = 0; b < bins; b++) {
      const sorted = Float64Array.from(byBin[b]).sort();
      profile.values[b] = sorted.length > 0 ? quantileSorted(sorted, 0.5) : 0;
    }
    // Centre the profile so the trend alone carries the level.
    const mean = profile.values.reduce((a, v) => a + v, 0) / bins;
    for (let b = 0; b < bins; b++) profile.values[b] -= mean;
    return profile;
  }

  #seasonalAt(t: number): number {
    return seasonalOf(this.#profiles, t);
  }

  #trendAt(trend: Trend, x: number, side: -1 | 0 | 1): number {
    const slope = side < 0 ? trend.slopeLower : side > 0 ? trend.slopeUpper : trend.slope;
    const accel = side < 0 ? trend.accelLower : side > 0 ? trend.accelUpper : trend.accel;
    return trend.level + slope * x + 0.5 * accel * x * x;
  }

  #fitTrend(xAll: Float64Array, yAll: Float64Array, withInterval: boolean): Trend {
    const alpha = 1 - this.#width;
    const idx = thin(xAll.length, this.#maxPoints);
    const x = Float64Array.from(idx, (i) => xAll[i]);
    const y = Float64Array.from(idx, (i) => yAll[i]);
    const linear = (from: number, shape: Trend['shape']): Trend => {
      const xs = x.subarray(from);
      const ys = y.subarray(from);
      const inflation = withInterval && ys.length >= 4 ? mannKendall(ys).varianceInflation : 1;
      const fit = theilSen(xs, ys, { alpha, varianceInflation: inflation });
      return {
        level: fit.intercept,
        slope: fit.slope,
        slopeLower: fit.lower,
        slopeUpper: fit.upper,
        accel: 0,
        accelLower: 0,
        accelUpper: 0,
        shape,
      };
    };
    const blocks = 10;
    if (!this.#acceleration || x.length < blocks * 4) return linear(0, 'linear');
    const span = x[x.length - 1] - x[0];
    const centres: number[] = [];
    const slopes: number[] = [];
    let start = 0;
    for (let b = 1; b <= blocks; b++) {
      const edge = x[0] + (span * b) / blocks;
      let end = start;
      while (end + 1 < x.length && x[end + 1] <= edge) end++;
      if (end - start >= 2) {
        centres.push((x[start] + x[end]) / 2);
        slopes.push(theilSen(x.subarray(start, end + 1), y.subarray(start, end + 1)).slope);
      }
      start = end + 1;
    }
    if (centres.length < 8) return linear(0, 'linear');
    // A quadratic extrapolates far beyond the data, so it needs stronger evidence than the band's level: 1 %.
    const change = theilSen(centres, slopes, { alpha: Math.min(alpha, 0.01) });
    if (change.lower > 0) {
      // Slope at the last observation (x = 0) from the line through the block slopes; the level is the median
      // offset of the quadratic through the data.
      const slope = change.intercept;
      const offsets = y.map((v, i) => v - slope * x[i] - 0.5 * change.slope * x[i] * x[i]).sort();
      return {
        level: quantileSorted(offsets, 0.5),
        slope,
        slopeLower: slope,
        slopeUpper: slope,
        accel: change.slope,
        accelLower: change.lower,
        accelUpper: change.upper,
        shape: 'accelerating',
      };
    }
    if (change.upper < 0) {
      let half = 0;
      while (half < x.length && x[half] < x[0] + span / 2) half++;
      return linear(half, 'recent');
    }
    return linear(0, 'linear');
  }
}
