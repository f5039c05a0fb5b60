import { VigilInputError } from '@vigil/core';
import { fitMap } from './fit.js';
import { type ProphetOptions, type ResolvedProphetOptions, resolveProphetOptions } from './options.js';
import { forecast, type ProphetForecast, type ProphetFuture } from './predict.js';
import { type ProphetHistory, prepareHistory } from './prepare.js';
import { type FeatureLayout, featureLayout } from './seasonality.js';
import { checkProphetState, type ProphetState } from './state.js';

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
    this.#o = resolveProphetOptions(options);
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
    const p = prepareHistory(this.#o, history);
    const { params, info } = fitMap(p.data);
    this.#layout = p.layout;
    this.#s = {
      start: p.start,
      tScale: p.tScale,
      yScale: p.yScale,
      yMin: p.yMin,
      logisticFloor: p.logisticFloor,
      changepoints: p.changepoints,
      tChange: p.tChange,
      spec: p.spec,
      k: params.k,
      m: params.m,
      delta: [...params.delta],
      sigmaObs: params.sigmaObs,
      beta: [...params.beta],
      nObserved: p.nObserved,
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
    return forecast(this.#o, this.#fittedState(), this.#layout as FeatureLayout, future);
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
      // Every size and range first: the layout below allocates from the spec.
      checkProphetState(s, model.#o);
      const layout = featureLayout(s.spec);
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
