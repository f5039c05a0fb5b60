/**
 * Prophet's regressors beyond the trend: Fourier seasonalities (Taylor & Letham 2017, §3.2, eq. 5), holiday
 * indicators with windows (§3.3) and extra regressors, laid out as one row-major design matrix.
 */

const DAY_MS = 86_400_000;

/** Whether a component adds to the trend or scales it: y = trend · (1 + multiplicative) + additive. */
export type FeatureMode = 'additive' | 'multiplicative';

/** A periodic component modelled by a Fourier series. */
export interface SeasonalitySpec {
  /** Component name, e.g. `'weekly'`; also the key of its curve in the forecast's components. */
  readonly name: string;
  /** Period in days (365.25 yearly, 7 weekly, 1 daily). */
  readonly period: number;
  /** Number of sine/cosine pairs. */
  readonly fourierOrder: number;
  /** Standard deviation of the Gaussian prior on its coefficients. */
  readonly priorScale: number;
  readonly mode: FeatureMode;
}

/** A holiday or special event: one indicator column per day offset in its window. */
export interface HolidaySpec {
  readonly name: string;
  /** The event's days as UTC epoch day numbers (floor(ms / 86 400 000)). */
  readonly days: readonly number[];
  /** Days before each date that are also affected (≤ 0). */
  readonly lowerWindow: number;
  /** Days after each date that are also affected (≥ 0). */
  readonly upperWindow: number;
  readonly priorScale: number;
  readonly mode: FeatureMode;
}

/** An extra regressor, standardised as `(x − mu) / std` (mu 0, std 1 when not standardised). */
export interface RegressorSpec {
  readonly name: string;
  readonly priorScale: number;
  readonly mode: FeatureMode;
  readonly mu: number;
  readonly std: number;
}

/** All non-trend components of a model, in column order: seasonalities, holidays, regressors. */
export interface FeatureSpec {
  readonly seasonalities: readonly SeasonalitySpec[];
  readonly holidays: readonly HolidaySpec[];
  readonly regressors: readonly RegressorSpec[];
}

/** One component's column range in the design matrix. */
export interface ComponentColumns {
  readonly name: string;
  readonly mode: FeatureMode;
  readonly start: number;
  readonly end: number;
}

/** Column layout of a {@link FeatureSpec}: components, prior standard deviations and additive/multiplicative flags. */
export interface FeatureLayout {
  readonly width: number;
  readonly components: readonly ComponentColumns[];
  readonly priorScales: Float64Array;
  readonly multiplicative: Uint8Array;
}

/** Lays out the columns of `spec`; a model without components gets one all-zero column, as in Prophet. */
export function featureLayout(spec: FeatureSpec): FeatureLayout {
  const components: ComponentColumns[] = [];
  const scales: number[] = [];
  const mult: number[] = [];
  const add = (name: string, mode: FeatureMode, width: number, priorScale: number) => {
    components.push({ name, mode, start: scales.length, end: scales.length + width });
    for (let j = 0; j < width; j++) {
      scales.push(priorScale);
      mult.push(mode === 'multiplicative' ? 1 : 0);
    }
  };
  for (const s of spec.seasonalities) add(s.name, s.mode, 2 * s.fourierOrder, s.priorScale);
  for (const h of spec.holidays) add(h.name, h.mode, h.upperWindow - h.lowerWindow + 1, h.priorScale);
  for (const r of spec.regressors) add(r.name, r.mode, 1, r.priorScale);
  if (scales.length === 0) {
    scales.push(1);
    mult.push(0);
  }
  return {
    width: scales.length,
    components,
    priorScales: Float64Array.from(scales),
    multiplicative: Uint8Array.from(mult),
  };
}

/**
 * Writes sin(2πjt/P), cos(2πjt/P) for j = 1…order into `row` from `offset`, with t in days since the epoch
 * (Prophet's `fourier_series`, columns ordered sin₁, cos₁, sin₂, …).
 *
 * @example
 * const row = new Float64Array(2);
 * fourierTerms(0.25, 1, 1, row, 0); // row ≈ [1, 0]
 */
export function fourierTerms(
  tDays: number,
  period: number,
  order: number,
  row: Float64Array,
  offset: number,
): void {
  // One sin/cos, then the angle-addition recurrence: within ~1e-11 of direct evaluation (itself no better at epoch
  // day counts of ~2e4) and far cheaper than 2·order trig calls per point.
  const x = (2 * Math.PI * tDays) / period;
  const s1 = Math.sin(x);
  const c1 = Math.cos(x);
  let s = s1;
  let c = c1;
  for (let j = 0; j < order; j++) {
    row[offset + 2 * j] = s;
    row[offset + 2 * j + 1] = c;
    const sNext = s * c1 + c * s1;
    c = c * c1 - s * s1;
    s = sNext;
  }
}

/**
 * Builds the n × width row-major design matrix for timestamps `ms` (epoch ms) and extra regressor values.
 * Regressor values must already be checked finite.
 */
export function designMatrix(
  spec: FeatureSpec,
  layout: FeatureLayout,
  ms: ArrayLike<number>,
  regressors: Readonly<Record<string, ArrayLike<number>>>,
): Float64Array {
  const n = ms.length;
  const w = layout.width;
  const x = new Float64Array(n * w);
  const row = new Float64Array(w);
  const holidayDays = spec.holidays.map((h) => new Set(h.days));
  for (let i = 0; i < n; i++) {
    row.fill(0);
    const tDays = ms[i] / DAY_MS;
    let col = 0;
    for (const s of spec.seasonalities) {
      fourierTerms(tDays, s.period, s.fourierOrder, row, col);
      col += 2 * s.fourierOrder;
    }
    const day = Math.floor(tDays);
    for (let h = 0; h < spec.holidays.length; h++) {
      const hol = spec.holidays[h];
      // Column for offset o is 1 when this day is o days after one of the event's dates.
      for (let o = hol.lowerWindow; o <= hol.upperWindow; o++) {
        if (holidayDays[h].has(day - o)) row[col + o - hol.lowerWindow] = 1;
      }
      col += hol.upperWindow - hol.lowerWindow + 1;
    }
    for (const r of spec.regressors) {
      row[col++] = (regressors[r.name][i] - r.mu) / r.std;
    }
    x.set(row, i * w);
  }
  return x;
}

/**
 * Prophet's automatic seasonalities: yearly (order 10) with at least 2 years of history, weekly (order 3) with at
 * least 2 weeks and spacing under a week, daily (order 4) with at least 2 days and spacing under a day
 * (`set_auto_seasonalities`). `setting` is `'auto'`, a boolean, or an explicit Fourier order.
 */
export function autoSeasonalityOrder(
  name: 'yearly' | 'weekly' | 'daily',
  setting: 'auto' | boolean | number,
  spanMs: number,
  minSpacingMs: number,
): number {
  const defaults = { yearly: 10, weekly: 3, daily: 4 } as const;
  if (typeof setting === 'number') return setting;
  if (setting === true) return defaults[name];
  if (setting === false) return 0;
  const disable =
    name === 'yearly'
      ? spanMs < 730 * DAY_MS
      : name === 'weekly'
        ? spanMs < 14 * DAY_MS || minSpacingMs >= 7 * DAY_MS
        : spanMs < 2 * DAY_MS || minSpacingMs >= DAY_MS;
  return disable ? 0 : defaults[name];
}

/** Period in days of the built-in seasonalities. */
export const BUILT_IN_PERIODS = { yearly: 365.25, weekly: 7, daily: 1 } as const;

/** UTC epoch day number of a timestamp in ms. */
export function epochDay(ms: number): number {
  return Math.floor(ms / DAY_MS);
}
