import { VigilInputError, validateTimestamps, validateValues } from '@vigil/core';
import { pick, requiredColumn, requiredRegressor } from './columns.js';
import type { MapData } from './map-types.js';
import type { ResolvedProphetOptions } from './options.js';
import {
  autoSeasonalityOrder,
  BUILT_IN_PERIODS,
  designMatrix,
  epochDay,
  type FeatureLayout,
  type FeatureSpec,
  featureLayout,
  type HolidaySpec,
  type RegressorSpec,
  type SeasonalitySpec,
} from './seasonality.js';
import { changepointIndices } from './trend.js';

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

/** A history made ready for the MAP fit: Prophet's scaling, changepoints and design matrix. */
export interface PreparedHistory {
  /** The scaled inputs of the fit. */
  readonly data: MapData;
  readonly layout: FeatureLayout;
  readonly spec: FeatureSpec;
  /** First timestamp (ms): scaled time is (t − start) / tScale. */
  readonly start: number;
  readonly tScale: number;
  readonly yScale: number;
  readonly yMin: number;
  readonly logisticFloor: boolean;
  /** Changepoint times (ms) and scaled (a dummy one at 0 when there are none). */
  readonly changepoints: number[];
  readonly tChange: number[];
  readonly nObserved: number;
}

/**
 * Validates a history and prepares it as Prophet's `setup_dataframe`, `initialize_scales`, `set_changepoints` and
 * `make_all_seasonality_features` do: NaN rows dropped, time scaled to [0, 1], values scaled, changepoints placed,
 * seasonalities chosen (automatic orders from the span and spacing) and the feature matrix built.
 *
 * @throws {VigilInputError} `EMPTY_INPUT`, `LENGTH_MISMATCH`, timestamp codes, `NON_FINITE_VALUE`, `ALL_NAN`;
 *   `TOO_SHORT` with fewer than 2 observed values; `INVALID_OPTION` when `cap` (logistic) or a regressor's
 *   values are missing or invalid.
 */
export function prepareHistory(o: ResolvedProphetOptions, history: ProphetHistory): PreparedHistory {
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
    if (o.scaling === 'absmax') for (let i = 0; i < n; i++) yScale = Math.max(yScale, Math.abs(y[i] - fl[i]));
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
      name === 'yearly' ? o.yearlySeasonality : name === 'weekly' ? o.weeklySeasonality : o.dailySeasonality;
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

  return {
    data: {
      growth: o.growth,
      t,
      y: ys,
      cap: capScaled,
      tChange: Float64Array.from(tChange),
      tau: o.changepointPriorScale,
      x,
      sigmas: layout.priorScales,
      multiplicative: layout.multiplicative,
    },
    layout,
    spec,
    start,
    tScale,
    yScale,
    yMin,
    logisticFloor,
    changepoints,
    tChange,
    nObserved: n,
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
