import { createRng, validateTimestamps } from '@vigil/core';
import { normalQuantile } from '../stats/normal-distribution.js';
import { requiredColumn, requiredRegressor } from './columns.js';
import type { ResolvedProphetOptions } from './options.js';
import { designMatrix, type FeatureLayout } from './seasonality.js';
import type { ProphetState } from './state.js';
import { evaluateTrend } from './trend.js';
import { simulateIntervals } from './uncertainty.js';

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

/**
 * Prophet's `predict`: the trend, every component and `yhat` at `future`, with the `intervalWidth` interval (the
 * exact noise quantile inside the history span, simulated trend changes beyond it).
 *
 * @throws {VigilInputError} timestamp codes; `INVALID_OPTION` when `cap` or a regressor is missing.
 */
export function forecast(
  o: ResolvedProphetOptions,
  s: ProphetState,
  layout: FeatureLayout,
  future: ArrayLike<number> | ProphetFuture,
): ProphetForecast {
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
  for (const r of s.spec.regressors) regressorValues[r.name] = requiredRegressor(data.regressors, r.name, n);
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

function isArrayLike(v: unknown): v is ArrayLike<number> {
  return Array.isArray(v) || ArrayBuffer.isView(v);
}
