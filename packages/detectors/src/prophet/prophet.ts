import {
  checkNumberOption,
  createRng,
  toEpochMs,
  VigilInputError,
  validateTimestamps,
  validateValues,
} from '@vigil/core';
import { normalQuantile } from '../stats/normal-distribution.js';
import { fitMap } from './fit.js';
import type { MapFitInfo } from './map-types.js';
import {
  autoSeasonalityOrder,
  BUILT_IN_PERIODS,
  designMatrix,
  epochDay,
  type FeatureLayout,
  type FeatureMode,
  type FeatureSpec,
  featureLayout,
  type HolidaySpec,
  type RegressorSpec,
  type SeasonalitySpec,
} from './seasonality.js';
import { changepointIndices, evaluateTrend, type Growth } from './trend.js';
import { simulateIntervals } from './uncertainty.js';

/** A custom seasonality (Prophet's `add_seasonality`). */
export interface ProphetSeasonality {
  /** Name, used as the key of its curve in {@link ProphetForecast.components}. */
  readonly name: string;
  /** Period in days, e.g. 30.5 for monthly, 1/24 for hourly. */
  readonly period: number;
  /** Number of Fourier sine/cosine pairs. */
  readonly fourierOrder: number;
  /** Prior standard deviation of its coefficients. Default: the model's `seasonalityPriorScale`. */
  readonly priorScale?: number;
  /** Default: the model's `seasonalityMode`. */
  readonly mode?: FeatureMode;
}

/** A holiday or special event (one row of Prophet's `holidays` data frame, grouped by name). */
export interface ProphetHoliday {
  readonly name: string;
  /** The event's dates (epoch ms, ISO strings or Dates; the UTC day is used). */
  readonly dates: ReadonlyArray<number | string | Date>;
  /** Days before each date also affected, ≤ 0. Default 0. */
  readonly lowerWindow?: number;
  /** Days after each date also affected, ≥ 0. Default 0. */
  readonly upperWindow?: number;
  /** Default: the model's `holidaysPriorScale`. */
  readonly priorScale?: number;
  /** Default: the model's `holidaysMode`. */
  readonly mode?: FeatureMode;
}

/** An extra regressor (Prophet's `add_regressor`); its values come with the data passed to fit and predict. */
export interface ProphetRegressor {
  readonly name: string;
  /** Default: the model's `seasonalityPriorScale`. */
  readonly priorScale?: number;
  /** Standardise to mean 0, sd 1: `'auto'` (default) does so unless the regressor is binary 0/1. */
  readonly standardize?: 'auto' | boolean;
  /** Default `'additive'`. */
  readonly mode?: FeatureMode;
}

/** Options of {@link Prophet}; names and defaults are Prophet's (Python `Prophet(...)`), camelCased. */
export interface ProphetOptions {
  /** Trend model. Default `'linear'`; `'logistic'` needs `cap` in the data. */
  readonly growth?: Growth;
  /** Explicit changepoint times (epoch ms / ISO / Date) instead of the automatic grid. */
  readonly changepoints?: ReadonlyArray<number | string | Date>;
  /** Number of potential changepoints. Default 25. */
  readonly nChangepoints?: number;
  /** Fraction of the history in which changepoints are placed. Default 0.8. */
  readonly changepointRange?: number;
  /** Scale τ of the Laplace prior on the rate changes. Default 0.05. */
  readonly changepointPriorScale?: number;
  /** `'auto'` (default), on/off, or a Fourier order. Auto: on with ≥ 2 years of data. */
  readonly yearlySeasonality?: 'auto' | boolean | number;
  /** Auto: on with ≥ 2 weeks of data spaced under a week. */
  readonly weeklySeasonality?: 'auto' | boolean | number;
  /** Auto: on with ≥ 2 days of data spaced under a day. */
  readonly dailySeasonality?: 'auto' | boolean | number;
  /** Default `'additive'`. */
  readonly seasonalityMode?: FeatureMode;
  /** Prior standard deviation of seasonal coefficients. Default 10. */
  readonly seasonalityPriorScale?: number;
  /** Prior standard deviation of holiday coefficients. Default 10. */
  readonly holidaysPriorScale?: number;
  /** Default: `seasonalityMode`. */
  readonly holidaysMode?: FeatureMode;
  readonly seasonalities?: readonly ProphetSeasonality[];
  readonly holidays?: readonly ProphetHoliday[];
  readonly regressors?: readonly ProphetRegressor[];
  /** How y is scaled before fitting: by max |y| (`'absmax'`, default) or to [0, 1] (`'minmax'`). */
  readonly scaling?: 'absmax' | 'minmax';
  /** Probability mass of the `yhatLower`…`yhatUpper` interval. Default 0.8. */
  readonly intervalWidth?: number;
  /** Simulated paths for the interval beyond the history; 0 for point forecasts only. Default 1000. */
  readonly uncertaintySamples?: number;
  /** Seed of the simulation (the same seed gives the same intervals, bit for bit). Default 0. */
  readonly seed?: number;
}

/** Training data: a series plus, where the model needs them, `cap`/`floor` (logistic) and regressor values. */
export interface ProphetHistory {
  /** Epoch milliseconds, strictly increasing. */
  readonly timestamps: ArrayLike<number>;
  /** Observations; NaN = missing (left out of the fit, as Prophet drops rows with null y). */
  readonly values: ArrayLike<number>;
  readonly cap?: ArrayLike<number>;
  readonly floor?: ArrayLike<number>;
  readonly regressors?: Readonly<Record<string, ArrayLike<number>>>;
}

/** Times to forecast, with `cap`/`floor` and regressor values when the model uses them. */
export interface ProphetFuture {
  readonly timestamps: ArrayLike<number>;
  readonly cap?: ArrayLike<number>;
  readonly floor?: ArrayLike<number>;
  readonly regressors?: Readonly<Record<string, ArrayLike<number>>>;
}

/** The output of {@link Prophet.predict}: Prophet's forecast columns, one entry per requested timestamp. */
export interface ProphetForecast {
  readonly timestamps: Float64Array;
  readonly yhat: Float64Array;
  /** Lower edge of the `intervalWidth` interval (NaN when `uncertaintySamples` is 0). */
  readonly yhatLower: Float64Array;
  readonly yhatUpper: Float64Array;
  /** Trend in y units (floor included). */
  readonly trend: Float64Array;
  /** Sum of the additive components, y units. */
  readonly additiveTerms: Float64Array;
  /** Sum of the multiplicative components, as a fraction of the trend. */
  readonly multiplicativeTerms: Float64Array;
  /** Each seasonality, holiday and regressor by name (additive ones in y units, multiplicative ones as fractions). */
  readonly components: Readonly<Record<string, Float64Array>>;
}

/** Options after defaults, as stored in snapshots. */
export interface ResolvedProphetOptions {
  readonly growth: Growth;
  readonly changepoints: number[] | null;
  readonly nChangepoints: number;
  readonly changepointRange: number;
  readonly changepointPriorScale: number;
  readonly yearlySeasonality: 'auto' | boolean | number;
  readonly weeklySeasonality: 'auto' | boolean | number;
  readonly dailySeasonality: 'auto' | boolean | number;
  readonly seasonalityMode: FeatureMode;
  readonly seasonalityPriorScale: number;
  readonly holidaysPriorScale: number;
  readonly holidaysMode: FeatureMode;
  readonly seasonalities: SeasonalitySpec[];
  readonly holidays: Array<Required<Omit<ProphetHoliday, 'dates'>> & { dates: number[] }>;
  readonly regressors: Array<{
    name: string;
    priorScale: number;
    standardize: 'auto' | boolean;
    mode: FeatureMode;
  }>;
  readonly scaling: 'absmax' | 'minmax';
  readonly intervalWidth: number;
  readonly uncertaintySamples: number;
  readonly seed: number;
}

/** What a fit learnt: scaling, changepoints, components and the MAP parameters (Prophet's `params`, scaled). */
export interface ProphetState {
  readonly start: number;
  readonly tScale: number;
  readonly yScale: number;
  /** Subtracted from y before scaling when there is no logistic floor (0 for absmax, min y for minmax). */
  readonly yMin: number;
  readonly logisticFloor: boolean;
  readonly changepoints: number[];
  readonly tChange: number[];
  readonly spec: FeatureSpec;
  readonly k: number;
  readonly m: number;
  readonly delta: number[];
  readonly sigmaObs: number;
  readonly beta: number[];
  readonly nObserved: number;
  readonly fitInfo: MapFitInfo;
}

const MODES: readonly FeatureMode[] = ['additive', 'multiplicative'];

/**
 * Prophet's forecasting model (Taylor & Letham 2017, "Forecasting at scale"; facebook/prophet): a piecewise-linear,
 * logistic or flat trend with automatic changepoints, Fourier seasonalities, holidays and extra regressors,
 * fitted by maximum a posteriori under Prophet's priors and scaling, with Prophet's simulated uncertainty intervals.
 *
 * @throws {VigilInputError} `INVALID_OPTION` naming the option, at construction.
 * @example
 * const m = new Prophet({ changepointPriorScale: 0.1 }).fit({ timestamps, values });
 * const f = m.predict(nextDayTimestamps);
 * f.yhat; f.yhatLower; f.yhatUpper; f.components.daily;
 */
export class Prophet {
  readonly #o: ResolvedProphetOptions;
  #s: ProphetState | null = null;
  #layout: FeatureLayout | null = null;

  constructor(options: ProphetOptions = {}) {
    this.#o = resolveOptions(options);
  }

  /** The options after defaults. */
  get options(): ResolvedProphetOptions {
    return this.#o;
  }

  /** True after {@link fit}. */
  get fitted(): boolean {
    return this.#s !== null;
  }

  /**
   * The fitted state: scaling, changepoint times (ms), component specs and MAP parameters in scaled units.
   * @throws {VigilInputError} `NOT_FITTED`.
   */
  get state(): ProphetState {
    return this.#fittedState();
  }

  /**
   * Fits the model to a history by maximum a posteriori; returns `this`. Deterministic.
   *
   * @throws {VigilInputError} `EMPTY_INPUT`, `LENGTH_MISMATCH`, timestamp codes, `NON_FINITE_VALUE`, `ALL_NAN`;
   *   `TOO_SHORT` with fewer than 2 observed values; `INVALID_OPTION` when `cap` (logistic) or a regressor's
   *   values are missing or invalid. The previous fit is kept on error.
   */
  fit(history: ProphetHistory): this {
    const o = this.#o;
    if (history === null || typeof history !== 'object' || !history.timestamps || !history.values) {
      throw new VigilInputError('EMPTY_INPUT', 'Expected the history as { timestamps, values }.', 'history');
    }
    validateTimestamps(history.timestamps, 'history');
    const nAll = history.timestamps.length;
    validateValues(history.values, nAll, 'values');
    const keep: number[] = [];
    for (let i = 0; i < nAll; i++) if (!Number.isNaN(history.values[i])) keep.push(i);
    const n = keep.length;
    if (n < 2) {
      throw new VigilInputError(
        'TOO_SHORT',
        `Prophet needs at least 2 observed (non-NaN) values to fit; got ${n}. Pass a longer history.`,
        'values',
      );
    }
    const ms = Float64Array.from(keep, (i) => history.timestamps[i]);
    const y = Float64Array.from(keep, (i) => history.values[i]);
    const cap = o.growth === 'logistic' ? pick(requiredColumn(history.cap, nAll, 'cap'), keep) : null;
    const logisticFloor = o.growth === 'logistic' && history.floor !== undefined;
    const floor = logisticFloor ? pick(requiredColumn(history.floor, nAll, 'floor'), keep) : null;
    const regressorValues: Record<string, Float64Array> = {};
    for (const r of o.regressors)
      regressorValues[r.name] = pick(requiredRegressor(history.regressors, r.name, nAll), keep);

    // Scaling (Prophet's initialize_scales / setup_dataframe).
    const start = ms[0];
    const tScale = ms[n - 1] - start;
    let yMin = 0;
    let yScale = 0;
    if (logisticFloor) {
      const fl = floor as Float64Array;
      if (o.scaling === 'absmax')
        for (let i = 0; i < n; i++) yScale = Math.max(yScale, Math.abs(y[i] - fl[i]));
      else {
        // Loops, not Math.min(...array): spreading 10⁵ arguments can overflow the stack.
        yMin = Number.POSITIVE_INFINITY;
        let capMax = Number.NEGATIVE_INFINITY;
        for (let i = 0; i < n; i++) {
          yMin = Math.min(yMin, fl[i]);
          capMax = Math.max(capMax, (cap as Float64Array)[i]);
        }
        yScale = capMax - yMin;
      }
    } else if (o.scaling === 'absmax') {
      for (let i = 0; i < n; i++) yScale = Math.max(yScale, Math.abs(y[i]));
    } else {
      yMin = Number.POSITIVE_INFINITY;
      let yMax = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < n; i++) {
        yMin = Math.min(yMin, y[i]);
        yMax = Math.max(yMax, y[i]);
      }
      yScale = yMax - yMin;
    }
    if (yScale === 0) yScale = 1;
    const t = Float64Array.from(ms, (v) => (v - start) / tScale);
    const ys = new Float64Array(n);
    for (let i = 0; i < n; i++) ys[i] = (y[i] - (floor ? floor[i] : yMin)) / yScale;
    let capScaled: Float64Array | null = null;
    if (cap) {
      capScaled = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        capScaled[i] = (cap[i] - (floor ? floor[i] : yMin)) / yScale;
        if (!(capScaled[i] > 0)) {
          throw new VigilInputError(
            'INVALID_OPTION',
            `cap[${keep[i]}] = ${cap[i]} must be greater than the floor (${floor ? floor[i] : yMin}); raise cap.`,
            'cap',
          );
        }
      }
    }

    // Changepoints (Prophet's set_changepoints; a dummy one at t = 0 when there are none).
    let changepoints: number[];
    if (o.changepoints) {
      changepoints = o.changepoints.filter((c) => c > start && c < ms[n - 1]);
    } else {
      changepoints = changepointIndices(n, o.nChangepoints, o.changepointRange).map((i) => ms[i]);
    }
    const tChange = changepoints.length > 0 ? changepoints.map((c) => (c - start) / tScale) : [0];

    // Components.
    let minSpacing = Number.POSITIVE_INFINITY;
    for (let i = 1; i < n; i++) minSpacing = Math.min(minSpacing, ms[i] - ms[i - 1]);
    const seasonalities: SeasonalitySpec[] = [...o.seasonalities];
    for (const name of ['yearly', 'weekly', 'daily'] as const) {
      const setting =
        name === 'yearly'
          ? o.yearlySeasonality
          : name === 'weekly'
            ? o.weeklySeasonality
            : o.dailySeasonality;
      // A custom seasonality of the same name replaces the automatic one, as in Prophet.
      if (seasonalities.some((s) => s.name === name)) continue;
      const order = autoSeasonalityOrder(name, setting, ms[n - 1] - start, minSpacing);
      if (order > 0) {
        seasonalities.push({
          name,
          period: BUILT_IN_PERIODS[name],
          fourierOrder: order,
          priorScale: o.seasonalityPriorScale,
          mode: o.seasonalityMode,
        });
      }
    }
    const regressors: RegressorSpec[] = o.regressors.map((r) =>
      standardizeRegressor(r, regressorValues[r.name]),
    );
    const holidays: HolidaySpec[] = o.holidays.map(({ dates, ...h }) => ({
      ...h,
      days: dates.map(epochDay),
    }));
    const spec: FeatureSpec = { seasonalities, holidays, regressors };
    const layout = featureLayout(spec);
    const x = designMatrix(spec, layout, ms, regressorValues);

    const { params, info } = fitMap({
      growth: o.growth,
      t,
      y: ys,
      cap: capScaled,
      tChange: Float64Array.from(tChange),
      tau: o.changepointPriorScale,
      x,
      sigmas: layout.priorScales,
      multiplicative: layout.multiplicative,
    });
    this.#layout = layout;
    this.#s = {
      start,
      tScale,
      yScale,
      yMin,
      logisticFloor,
      changepoints,
      tChange,
      spec,
      k: params.k,
      m: params.m,
      delta: [...params.delta],
      sigmaObs: params.sigmaObs,
      beta: [...params.beta],
      nObserved: n,
      fitInfo: info,
    };
    return this;
  }

  /**
   * Forecasts at `future` (timestamps in epoch ms, strictly increasing; inside or beyond the history): `yhat`, the
   * `intervalWidth` interval and every component. Inside the history span the interval is the exact normal
   * quantile of the observation noise (the limit of Prophet's simulation, whose trend paths all coincide there);
   * beyond it `uncertaintySamples` seeded paths with simulated trend changes are drawn.
   *
   * @throws {VigilInputError} `NOT_FITTED`; timestamp codes; `INVALID_OPTION` when `cap` or a regressor is missing.
   */
  predict(future: ArrayLike<number> | ProphetFuture): ProphetForecast {
    const s = this.#fittedState();
    const layout = this.#layout as FeatureLayout;
    const o = this.#o;
    const data: ProphetFuture = isArrayLike(future) ? { timestamps: future } : future;
    validateTimestamps(data.timestamps, 'future');
    const n = data.timestamps.length;
    const ms = Float64Array.from(data.timestamps);
    const t = Float64Array.from(ms, (v) => (v - s.start) / s.tScale);
    const floor = new Float64Array(n).fill(s.yMin);
    if (s.logisticFloor) floor.set(requiredColumn(data.floor, n, 'floor'));
    let capScaled: Float64Array | null = null;
    if (o.growth === 'logistic') {
      const cap = requiredColumn(data.cap, n, 'cap');
      capScaled = Float64Array.from(cap, (c, i) => (c - floor[i]) / s.yScale);
    }
    const regressorValues: Record<string, Float64Array> = {};
    for (const r of s.spec.regressors)
      regressorValues[r.name] = requiredRegressor(data.regressors, r.name, n);
    const trendScaled = evaluateTrend(o.growth, t, s.k, s.m, s.delta, s.tChange, capScaled ?? undefined);
    const trend = new Float64Array(n);
    for (let i = 0; i < n; i++) trend[i] = trendScaled[i] * s.yScale + floor[i];
    const x = designMatrix(s.spec, layout, ms, regressorValues);
    const w = layout.width;
    const components: Record<string, Float64Array> = {};
    const additiveTerms = new Float64Array(n);
    const multiplicativeTerms = new Float64Array(n);
    for (const c of layout.components) {
      const curve = new Float64Array(n);
      const scale = c.mode === 'additive' ? s.yScale : 1;
      for (let i = 0; i < n; i++) {
        let v = 0;
        for (let j = c.start; j < c.end; j++) v += x[i * w + j] * s.beta[j];
        curve[i] = v * scale;
      }
      const target = c.mode === 'additive' ? additiveTerms : multiplicativeTerms;
      for (let i = 0; i < n; i++) target[i] += curve[i];
      components[c.name] = curve;
    }
    const yhat = new Float64Array(n);
    for (let i = 0; i < n; i++) yhat[i] = trend[i] * (1 + multiplicativeTerms[i]) + additiveTerms[i];
    const yhatLower = new Float64Array(n).fill(Number.NaN);
    const yhatUpper = new Float64Array(n).fill(Number.NaN);
    if (o.uncertaintySamples > 0) {
      const half = normalQuantile(0.5 + o.intervalWidth / 2) * s.sigmaObs * s.yScale;
      let first = n;
      for (let i = 0; i < n; i++) {
        if (t[i] > 1) {
          first = i;
          break;
        }
        yhatLower[i] = yhat[i] - half;
        yhatUpper[i] = yhat[i] + half;
      }
      if (first < n) {
        const band = simulateIntervals(
          {
            growth: o.growth,
            k: s.k,
            m: s.m,
            delta: Float64Array.from(s.delta),
            tChange: Float64Array.from(s.tChange),
            sigmaObs: s.sigmaObs,
            yScale: s.yScale,
            t: t.subarray(first),
            tMax: t[n - 1],
            floor: floor.subarray(first),
            cap: capScaled ? capScaled.subarray(first) : null,
            multiplicative: multiplicativeTerms.subarray(first),
            additive: additiveTerms.subarray(first),
            samples: o.uncertaintySamples,
            intervalWidth: o.intervalWidth,
          },
          createRng(o.seed),
        );
        yhatLower.set(band.lower, first);
        yhatUpper.set(band.upper, first);
      }
    }
    return {
      timestamps: ms,
      yhat,
      yhatLower,
      yhatUpper,
      trend,
      additiveTerms,
      multiplicativeTerms,
      components,
    };
  }

  /** A JSON-serialisable copy of the options and fitted state; restore with {@link Prophet.fromJSON}. */
  toJSON(): { options: ResolvedProphetOptions; state: ProphetState | null } {
    return { options: this.#o, state: this.#s };
  }

  /**
   * Restores a model from {@link Prophet.toJSON} output (or its `JSON.parse`d text).
   * @throws {VigilInputError} `INVALID_SNAPSHOT` when the object is malformed; `INVALID_OPTION` for bad options.
   */
  static fromJSON(json: { options: ProphetOptions; state: ProphetState | null }): Prophet {
    if (json === null || typeof json !== 'object' || typeof json.options !== 'object') {
      throw new VigilInputError(
        'INVALID_SNAPSHOT',
        'Malformed Prophet snapshot: expected { options, state }.',
        'snapshot',
      );
    }
    const model = new Prophet(json.options);
    const s = json.state;
    if (s) {
      const numbers = [s.start, s.tScale, s.yScale, s.yMin, s.k, s.m, s.sigmaObs];
      const ok =
        numbers.every((v) => typeof v === 'number' && Number.isFinite(v)) &&
        [s.delta, s.beta, s.tChange, s.changepoints].every(
          (a) => Array.isArray(a) && a.every((v) => typeof v === 'number'),
        ) &&
        s.spec &&
        Array.isArray(s.spec.seasonalities) &&
        Array.isArray(s.spec.holidays) &&
        Array.isArray(s.spec.regressors);
      if (!ok) throw new VigilInputError('INVALID_SNAPSHOT', 'Malformed Prophet state in snapshot.', 'state');
      const layout = featureLayout(s.spec);
      if (layout.width !== s.beta.length || s.delta.length !== s.tChange.length) {
        throw new VigilInputError(
          'INVALID_SNAPSHOT',
          'Prophet snapshot: parameter sizes do not match its components.',
          'state',
        );
      }
      model.#s = s;
      model.#layout = layout;
    }
    return model;
  }

  #fittedState(): ProphetState {
    if (!this.#s)
      throw new VigilInputError('NOT_FITTED', 'Call fit() before predict() or reading the state.', 'model');
    return this.#s;
  }
}

function resolveOptions(options: ProphetOptions): ResolvedProphetOptions {
  if (options === null || typeof options !== 'object') {
    throw new VigilInputError('INVALID_OPTION', 'Prophet options must be an object.', 'options');
  }
  const growth = options.growth ?? 'linear';
  if (!['linear', 'logistic', 'flat'].includes(growth)) {
    throw new VigilInputError(
      'INVALID_OPTION',
      `growth must be 'linear', 'logistic' or 'flat'; got ${String(growth)}.`,
      'growth',
    );
  }
  const mode = (field: string, v: unknown, fallback: FeatureMode): FeatureMode => {
    const m = v ?? fallback;
    if (!MODES.includes(m as FeatureMode)) {
      throw new VigilInputError(
        'INVALID_OPTION',
        `${field} must be 'additive' or 'multiplicative'; got ${String(v)}.`,
        field,
      );
    }
    return m as FeatureMode;
  };
  const seasonality = (field: string, v: unknown): 'auto' | boolean | number => {
    if (v === undefined) return 'auto';
    if (v === 'auto' || typeof v === 'boolean') return v;
    return checkNumberOption(field, v, { min: 1, max: 100, integer: true });
  };
  const seasonalityMode = mode('seasonalityMode', options.seasonalityMode, 'additive');
  const seasonalityPriorScale = checkNumberOption(
    'seasonalityPriorScale',
    options.seasonalityPriorScale ?? 10,
    {
      min: 0,
      exclusiveMin: true,
    },
  );
  const holidaysPriorScale = checkNumberOption('holidaysPriorScale', options.holidaysPriorScale ?? 10, {
    min: 0,
    exclusiveMin: true,
  });
  const holidaysMode = mode('holidaysMode', options.holidaysMode, seasonalityMode);
  const names = new Set<string>();
  const uniqueName = (field: string, name: unknown): string => {
    if (typeof name !== 'string' || name === '' || names.has(name)) {
      throw new VigilInputError(
        'INVALID_OPTION',
        `${field} must be a non-empty name not used by another component; got ${String(name)}.`,
        field,
      );
    }
    names.add(name);
    return name;
  };
  const seasonalities = (options.seasonalities ?? []).map((s, i) => ({
    name: uniqueName(`seasonalities[${i}].name`, s.name),
    period: checkNumberOption(`seasonalities[${i}].period`, s.period, { min: 0, exclusiveMin: true }),
    fourierOrder: checkNumberOption(`seasonalities[${i}].fourierOrder`, s.fourierOrder, {
      min: 1,
      max: 100,
      integer: true,
    }),
    priorScale: checkNumberOption(`seasonalities[${i}].priorScale`, s.priorScale ?? seasonalityPriorScale, {
      min: 0,
      exclusiveMin: true,
    }),
    mode: mode(`seasonalities[${i}].mode`, s.mode, seasonalityMode),
  }));
  for (const builtIn of ['yearly', 'weekly', 'daily']) if (!names.has(builtIn)) names.add(builtIn);
  const holidays = (options.holidays ?? []).map((h, i) => {
    const name = uniqueName(`holidays[${i}].name`, h.name);
    if (!Array.isArray(h.dates) || h.dates.length === 0) {
      throw new VigilInputError(
        'INVALID_OPTION',
        `holidays[${i}].dates must list at least one date.`,
        `holidays[${i}].dates`,
      );
    }
    const dates = h.dates.map((d, j) => {
      const msValue = toEpochMs(d);
      if (!Number.isFinite(msValue)) {
        throw new VigilInputError(
          'INVALID_OPTION',
          `holidays[${i}].dates[${j}] is not a date: ${String(d)}.`,
          `holidays[${i}].dates`,
        );
      }
      return msValue;
    });
    return {
      name,
      dates,
      lowerWindow: checkNumberOption(`holidays[${i}].lowerWindow`, h.lowerWindow ?? 0, {
        max: 0,
        min: -366,
        integer: true,
      }),
      upperWindow: checkNumberOption(`holidays[${i}].upperWindow`, h.upperWindow ?? 0, {
        min: 0,
        max: 366,
        integer: true,
      }),
      priorScale: checkNumberOption(`holidays[${i}].priorScale`, h.priorScale ?? holidaysPriorScale, {
        min: 0,
        exclusiveMin: true,
      }),
      mode: mode(`holidays[${i}].mode`, h.mode, holidaysMode),
    };
  });
  const regressors = (options.regressors ?? []).map((r, i) => {
    const standardize = r.standardize ?? 'auto';
    if (standardize !== 'auto' && typeof standardize !== 'boolean') {
      throw new VigilInputError(
        'INVALID_OPTION',
        `regressors[${i}].standardize must be 'auto', true or false.`,
        `regressors[${i}].standardize`,
      );
    }
    return {
      name: uniqueName(`regressors[${i}].name`, r.name),
      priorScale: checkNumberOption(`regressors[${i}].priorScale`, r.priorScale ?? seasonalityPriorScale, {
        min: 0,
        exclusiveMin: true,
      }),
      standardize,
      mode: mode(`regressors[${i}].mode`, r.mode, 'additive'),
    };
  });
  const scaling = options.scaling ?? 'absmax';
  if (scaling !== 'absmax' && scaling !== 'minmax') {
    throw new VigilInputError(
      'INVALID_OPTION',
      `scaling must be 'absmax' or 'minmax'; got ${String(scaling)}.`,
      'scaling',
    );
  }
  let changepoints: number[] | null = null;
  if (options.changepoints !== undefined && options.changepoints !== null) {
    changepoints = options.changepoints.map((c) => toEpochMs(c));
    validateTimestamps(changepoints, 'changepoints');
  }
  return {
    growth,
    changepoints,
    nChangepoints: checkNumberOption('nChangepoints', options.nChangepoints ?? 25, {
      min: 0,
      max: 10_000,
      integer: true,
    }),
    changepointRange: checkNumberOption('changepointRange', options.changepointRange ?? 0.8, {
      min: 0,
      max: 1,
      exclusiveMin: true,
    }),
    changepointPriorScale: checkNumberOption('changepointPriorScale', options.changepointPriorScale ?? 0.05, {
      min: 0,
      exclusiveMin: true,
    }),
    yearlySeasonality: seasonality('yearlySeasonality', options.yearlySeasonality),
    weeklySeasonality: seasonality('weeklySeasonality', options.weeklySeasonality),
    dailySeasonality: seasonality('dailySeasonality', options.dailySeasonality),
    seasonalityMode,
    seasonalityPriorScale,
    holidaysPriorScale,
    holidaysMode,
    seasonalities,
    holidays,
    regressors,
    scaling,
    intervalWidth: checkNumberOption('intervalWidth', options.intervalWidth ?? 0.8, {
      min: 0,
      max: 1,
      exclusiveMin: true,
      exclusiveMax: true,
    }),
    uncertaintySamples: checkNumberOption('uncertaintySamples', options.uncertaintySamples ?? 1000, {
      min: 0,
      max: 100_000,
      integer: true,
    }),
    seed: checkNumberOption('seed', options.seed ?? 0, { integer: true }),
  };
}

// Prophet standardises non-binary regressors with the sample mean and the sample standard deviation (ddof 1).
function standardizeRegressor(
  r: ResolvedProphetOptions['regressors'][number],
  values: Float64Array,
): RegressorSpec {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  let ss = 0;
  let binary = true;
  for (let i = 0; i < n; i++) {
    ss += (values[i] - mean) ** 2;
    if (values[i] !== 0 && values[i] !== 1) binary = false;
  }
  const sd = Math.sqrt(ss / Math.max(n - 1, 1));
  if (!(sd > 0)) {
    throw new VigilInputError(
      'INVALID_OPTION',
      `Regressor '${r.name}' is constant over the history, so its effect cannot be estimated; drop it or pass varying values.`,
      `regressors.${r.name}`,
    );
  }
  const standardize = r.standardize === 'auto' ? !binary : r.standardize;
  return {
    name: r.name,
    priorScale: r.priorScale,
    mode: r.mode,
    mu: standardize ? mean : 0,
    std: standardize ? sd : 1,
  };
}

function requiredColumn(values: ArrayLike<number> | undefined, n: number, field: string): Float64Array {
  if (!values) {
    throw new VigilInputError(
      'INVALID_OPTION',
      field === 'cap'
        ? "growth 'logistic' needs a capacity: pass cap (one value per timestamp) with the data."
        : `${field} is required here: pass one value per timestamp.`,
      field,
    );
  }
  if (values.length !== n) {
    throw new VigilInputError(
      'LENGTH_MISMATCH',
      `${field} has ${values.length} entries for ${n} timestamps; give one per timestamp.`,
      field,
    );
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(values[i])) {
      throw new VigilInputError(
        'NON_FINITE_VALUE',
        `${field}[${i}] is ${values[i]}; it must be a finite number.`,
        field,
      );
    }
  }
  return Float64Array.from(values);
}

function requiredRegressor(
  regressors: Readonly<Record<string, ArrayLike<number>>> | undefined,
  name: string,
  n: number,
): Float64Array {
  const values = regressors && Object.hasOwn(regressors, name) ? regressors[name] : undefined;
  if (!values) {
    throw new VigilInputError(
      'INVALID_OPTION',
      `Regressor '${name}' has no values: pass regressors.${name} with the data.`,
      `regressors.${name}`,
    );
  }
  return requiredColumn(values, n, `regressors.${name}`);
}

function pick(values: Float64Array, keep: readonly number[]): Float64Array {
  return Float64Array.from(keep, (i) => values[i]);
}

function isArrayLike(v: unknown): v is ArrayLike<number> {
  return Array.isArray(v) || ArrayBuffer.isView(v);
}
