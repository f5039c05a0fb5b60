import {
  checkNumberOption,
  type Detector,
  type DetectorSnapshot,
  type FitOptions,
  type PointScore,
  type Scores,
  type SeriesLike,
  type StreamCounters,
  StreamGuard,
  TailCalibrator,
  type TailCalibratorState,
  thresholdForFalsePositiveRate,
  throwIfAborted,
  toSeries,
  VigilInputError,
  yieldAndCheck,
} from '@vigil/core';
import { medianInPlace } from '../statistical/select.js';
import { ForecastAhead, type ForecastAheadState } from './forecast-ahead.js';
import type { ProphetOptions } from './options.js';
import type { ProphetForecast } from './predict.js';
import { Prophet } from './prophet.js';

// The steps of ProphetDetector.fit, as its progress reports name them (index = steps done).
const FIT_STEPS = ['map', 'band', 'calibrate', 'done'] as const;

import type { ProphetState } from './state.js';

/** Snapshot version written by {@link ProphetDetector.toJSON}. */
export const PROPHET_SNAPSHOT_VERSION = 2;

/** Options of {@link ProphetDetector}: Prophet's options (without extra regressors) plus detection settings. */
export interface ProphetDetectorOptions extends Omit<ProphetOptions, 'regressors'> {
  /** False-positive rate on normal data that sets the threshold `1 − targetFpr`. Default 1e-3. */
  readonly targetFpr?: number;
  /** Explicit score threshold in (0, 1); overrides `targetFpr`. */
  readonly threshold?: number;
  /** Constant capacity for `growth: 'logistic'` (required then), y units. */
  readonly cap?: number;
  /** Constant floor for `growth: 'logistic'`, y units. */
  readonly floor?: number;
  /**
   * Streaming: ask for a refit ({@link ProphetDetector.needsRefit}) after this many new observed points (0 = never).
   * Default 1000.
   */
  readonly refitEvery?: number;
  /** Streaming: most recent points kept (and refitted on). Default 20 000. */
  readonly maxHistory?: number;
  /**
   * Streaming: after this many consecutive anomalous points on the same side of the forecast, take it as a new
   * normal and shift the forecast's level by their median residual (0 = never). Default 12.
   */
  readonly adaptAfter?: number;
}

/** Detector options after defaults, as stored in snapshots. */
export interface ResolvedProphetDetectorOptions extends ProphetDetectorOptions {
  readonly threshold: number;
  readonly refitEvery: number;
  readonly maxHistory: number;
  readonly adaptAfter: number;
}

/** Serialised state of a fitted {@link ProphetDetector} (NaN values written as null). */
export interface ProphetDetectorState {
  readonly model: ProphetState;
  readonly calibrator: TailCalibratorState;
  readonly historyTimestamps: number[];
  readonly historyValues: Array<number | null>;
  readonly sinceRefit: number;
  readonly lastT: number | null;
  readonly counters: StreamCounters;
  /** Level correction added to the forecast after a regime change (version 2; 0 in version 1). */
  readonly offset?: number;
  /** Residuals of the current run of same-side anomalies (version 2). */
  readonly run?: number[];
  /** False when fitted with `keepHistory: false` (the history arrays are then empty); absent means true. */
  readonly keepHistory?: boolean;
  /** The forecast at the regular steps after the training data (absent in older snapshots: forecast per point). */
  readonly ahead?: ForecastAheadState;
}

/**
 * Anomaly detector on Prophet's forecast: a point's raw statistic is its distance from `yhat` in units of the
 * half-width of Prophet's `intervalWidth` interval on its side (1 = on the band edge), calibrated on the training
 * residuals with a GPD tail ({@link TailCalibrator}), so `score = 1 − p`. Streaming `update` scores against the
 * fitted forecast and, every `refitEvery` points, asks to be refitted on the most recent `maxHistory` points
 * (`needsRefit`; a `Pipeline` refits in a worker thread, a standalone caller calls `refit()`). So that a level shift
 * does not keep it alarmed until the next refit, `update` learns a new normal once `adaptAfter` consecutive points
 * are anomalous on the same side: it shifts the forecast by their median residual (a level correction that each
 * refit re-estimates from the latest residuals). Points it is flagging teach it nothing until then.
 *
 * @throws {VigilInputError} `INVALID_OPTION` at construction (e.g. logistic growth without `cap`).
 * @example
 * const d = new ProphetDetector({ targetFpr: 1e-3 });
 * await d.fit(twoWeeksOf5MinuteData);
 * const { score, isAnomaly, expected, lower, upper } = await d.score(today);
 */
export class ProphetDetector implements Detector<SeriesLike> {
  readonly kind = 'prophet';
  readonly #o: ResolvedProphetDetectorOptions;
  readonly #prophetOptions: ProphetOptions;
  #model: Prophet | null = null;
  #cal: TailCalibrator | null = null;
  #guard = new StreamGuard('prophet');
  #histT: number[] = [];
  #histV: number[] = [];
  /** False after a fit with `keepHistory: false`: the owner keeps the history, this detector none. */
  #keepHistory = true;
  /** The forecast at the next regular steps, made at fit: streamed points on that grid cost a lookup. */
  #ahead: ForecastAhead | undefined;
  /** halfWidthFloor(model) and the raw statistic at the threshold, for the calibrator `#bandFor` (and its model). */
  #bandFloor = 0;
  #reach = 0;
  #bandFor: TailCalibrator | null = null;
  #sinceRefit = 0;
  #offset = 0;
  #run: number[] = [];

  constructor(options: ProphetDetectorOptions = {}) {
    const { targetFpr, threshold, cap, floor, refitEvery, maxHistory, adaptAfter, ...prophet } =
      options ?? {};
    if ('regressors' in prophet) {
      throw new VigilInputError(
        'INVALID_OPTION',
        'ProphetDetector scores plain series and cannot take extra regressors; use the Prophet class for them.',
        'regressors',
      );
    }
    const resolvedThreshold =
      threshold !== undefined
        ? checkNumberOption('threshold', threshold, {
            min: 0,
            max: 1,
            exclusiveMin: true,
            exclusiveMax: true,
          })
        : thresholdForFalsePositiveRate(targetFpr ?? 1e-3);
    if ((prophet.growth ?? 'linear') === 'logistic') {
      if (cap === undefined) {
        throw new VigilInputError(
          'INVALID_OPTION',
          "growth 'logistic' needs cap (the saturation level, y units).",
          'cap',
        );
      }
      checkNumberOption('cap', cap, {});
      if (floor !== undefined) checkNumberOption('floor', floor, { max: cap, exclusiveMax: true });
    }
    if ((prophet.uncertaintySamples ?? 1000) < 10) {
      checkNumberOption('uncertaintySamples', prophet.uncertaintySamples, { min: 10, integer: true });
    }
    this.#prophetOptions = prophet;
    // Validates every Prophet option now rather than at fit.
    new Prophet(prophet);
    this.#o = {
      ...options,
      threshold: resolvedThreshold,
      refitEvery: checkNumberOption('refitEvery', refitEvery ?? 1000, { min: 0, integer: true }),
      maxHistory: checkNumberOption('maxHistory', maxHistory ?? 20_000, { min: 2, integer: true }),
      adaptAfter: checkNumberOption('adaptAfter', adaptAfter ?? 12, { min: 0, integer: true }),
    };
  }

  /** Score at or above which a point is anomalous. */
  get threshold(): number {
    return this.#o.threshold;
  }

  /** True after a successful fit. */
  get fitted(): boolean {
    return this.#model !== null;
  }

  /** The options after defaults. */
  get options(): ResolvedProphetDetectorOptions {
    return this.#o;
  }

  /**
   * The fitted forecaster (for components and plots).
   * @throws {VigilInputError} `NOT_FITTED`.
   */
  get model(): Prophet {
    return this.#fitted().model;
  }

  /** Counts of streamed points by outcome. */
  get counters(): StreamCounters {
    return { ...this.#guard.counters };
  }

  /**
   * Fits Prophet's model on `train` and calibrates on its in-sample residuals, reporting each step (the MAP fit,
   * the uncertainty band, calibration) through `options.onProgress`; between steps it yields to the event loop and
   * stops if `options.signal` has fired. (A year of 5-minute points fits in well under a second per step.) With
   * `options.streaming` it also forecasts the regular steps up to the next refit (1.25 · refitEvery), so that `update`
   * on that grid is a lookup (the same numbers: the same single-point forecast, made in advance — in a Pipeline, in
   * the fit worker); `options.keepHistory: false` keeps no copy of the points for {@link refit}.
   * @throws {VigilInputError} series validation codes; `TOO_SHORT` with fewer than 2 observed values.
   * @throws {VigilAbortError} `ABORTED` when `options.signal` fired; the previous fit is kept.
   */
  async fit(train: SeriesLike, options: FitOptions = {}): Promise<void> {
    const { signal, onProgress } = options;
    const keepHistory = options.keepHistory !== false;
    const streaming = options.streaming === true;
    const step = async (done: number, message: string) => {
      onProgress?.({ kind: 'prophet', phase: FIT_STEPS[done], done, total: 3, fraction: done / 3, message });
      if (done < 3) await yieldAndCheck(signal, 'prophet fit');
    };
    throwIfAborted(signal, 'prophet fit');
    const s = toSeries(train, 'training series');
    const n = s.timestamps.length;
    await step(0, `fitting trend and seasonalities to ${n} points`);
    const model = this.#fitModel(s.timestamps, s.values);
    await step(1, 'MAP fit done; simulating the uncertainty band');
    const f = model.predict(this.#future(s.timestamps));
    await step(2, 'calibrating scores on the in-sample residuals');
    const cal = this.#calibrate(model, f, s.values);
    const ahead = streaming ? this.#forecastAhead(model, s.timestamps) : undefined;
    this.#model = model;
    this.#cal = cal;
    this.#ahead = ahead;
    const keep = keepHistory ? Math.max(0, s.timestamps.length - this.#o.maxHistory) : s.timestamps.length;
    this.#histT = Array.from(s.timestamps.subarray(keep));
    this.#histV = Array.from(s.values.subarray(keep));
    this.#keepHistory = keepHistory;
    this.#sinceRefit = 0;
    this.#offset = 0;
    this.#run = [];
    this.#guard = new StreamGuard('prophet', s.timestamps[s.timestamps.length - 1]);
    await step(3, `fitted on ${n} points`);
  }

  /**
   * Scores `data` against the fitted forecast without changing the model.
   * @throws {VigilInputError} `NOT_FITTED`; series validation codes.
   */
  async score(data: SeriesLike): Promise<Scores> {
    const { model, cal } = this.#fitted();
    const s = toSeries(data, 'series', { duplicates: 'keep' });
    const f = this.#predict(model, s.timestamps);
    const floor = halfWidthFloor(model);
    const n = s.values.length;
    const score = new Float64Array(n);
    const isAnomaly = new Uint8Array(n);
    const raw = new Float64Array(n);
    const lower = new Float64Array(n);
    const upper = new Float64Array(n);
    const reach = cal.rawForPValue(1 - this.#o.threshold);
    for (let i = 0; i < n; i++) {
      raw[i] = bandDistance(s.values[i], f, i, floor);
      score[i] = cal.score(raw[i]);
      isAnomaly[i] = score[i] >= this.#o.threshold ? 1 : 0;
      lower[i] = f.yhat[i] - reach * (f.yhat[i] - f.yhatLower[i]);
      upper[i] = f.yhat[i] + reach * (f.yhatUpper[i] - f.yhat[i]);
    }
    return { score, isAnomaly, expected: f.yhat, lower, upper, raw };
  }

  /**
   * Scores the point (t, x) against the fitted forecast, then adds it to the history; after `refitEvery` observed
   * points it sets {@link needsRefit} (bounded work per point: it never refits itself). Never throws on bad points:
   * NaN is `missing`, out-of-order or infinite is `dropped`.
   * @throws {VigilInputError} `NOT_FITTED` only.
   */
  update(t: number, x: number | ArrayLike<number>): PointScore {
    const model = this.#model;
    const cal = this.#cal;
    if (!model || !cal) return this.#fitted() as never;
    const status = this.#guard.admit(t, x);
    if (status === 'dropped') return { t, score: 0, isAnomaly: false, status };
    const value = typeof x === 'number' ? x : x[0];
    // On the regular grid after the training data the forecast was made at fit (the same computation); elsewhere
    // it is made now.
    const j = this.#ahead ? this.#ahead.indexOf(t) : -1;
    let yhat: number;
    let yLower: number;
    let yUpper: number;
    if (j >= 0) {
      const ahead = this.#ahead as ForecastAhead;
      yhat = ahead.yhat(j);
      yLower = ahead.lower(j);
      yUpper = ahead.upper(j);
    } else {
      const f = model.predict(this.#future([t]));
      yhat = f.yhat[0];
      yLower = f.yhatLower[0];
      yUpper = f.yhatUpper[0];
    }
    const offset = this.#offset;
    const expected = yhat + offset;
    if (status === 'missing') return { t, score: 0, isAnomaly: false, status, expected };
    // The band's floor and reach depend only on the model and calibrator: computed once per fit, not per point.
    if (this.#bandFor !== cal) {
      this.#bandFloor = halfWidthFloor(model);
      this.#reach = cal.rawForPValue(1 - this.#o.threshold);
      this.#bandFor = cal;
    }
    const raw = bandDistanceOf(value - offset, yhat, yLower, yUpper, this.#bandFloor);
    const score = cal.score(raw);
    const reach = this.#reach;
    const result: PointScore = {
      t,
      score,
      isAnomaly: score >= this.#o.threshold,
      status: 'scored',
      expected,
      lower: expected - reach * (yhat - yLower),
      upper: expected + reach * (yUpper - yhat),
      raw,
    };
    this.#adapt(result.isAnomaly, value - expected);
    this.#sinceRefit++;
    if (!this.#keepHistory) return result;
    this.#histT.push(t);
    this.#histV.push(value);
    // Trim in batches rather than splicing one point off a 20 000-point array on every update.
    if (this.#histT.length >= 2 * this.#o.maxHistory) {
      const drop = this.#histT.length - this.#o.maxHistory;
      this.#histT.splice(0, drop);
      this.#histV.splice(0, drop);
    }
    return result;
  }

  /**
   * True once `refitEvery` observed points have streamed in since the last fit: `update` never refits (a refit of
   * 20 000 points takes seconds), it asks. A `Pipeline` refits in its worker pool; standalone, call {@link refit}.
   */
  get needsRefit(): boolean {
    return this.#model !== null && this.#o.refitEvery > 0 && this.#sinceRefit >= this.#o.refitEvery;
  }

  /**
   * Refits the model on the most recent `maxHistory` streamed points (training data included) and re-estimates the
   * level correction from the latest residuals; on a degenerate window the previous model stays. Call it when
   * {@link needsRefit} says so, off the hot path.
   * @throws {VigilInputError} `NOT_FITTED`; `TOO_SHORT` when fitted with `keepHistory: false` (no history kept).
   */
  async refit(): Promise<void> {
    this.#fitted();
    if (!this.#keepHistory) {
      throw new VigilInputError(
        'TOO_SHORT',
        'prophet: this detector was fitted with keepHistory: false and keeps no history to refit on; fit(series) it on the history its owner keeps.',
        'keepHistory',
      );
    }
    this.#sinceRefit = 0;
    try {
      const keep = this.#o.maxHistory;
      // Streams may repeat a timestamp; the model is refitted on one value per timestamp (the last).
      const h = toSeries(
        { timestamps: this.#histT.slice(-keep), values: this.#histV.slice(-keep) },
        'history',
      );
      this.#fitOn(h.timestamps, h.values);
      this.#offset = this.#recentLevelError();
      this.#run = [];
    } catch {
      // A refit can only fail on a degenerate window; the previous model stays in use.
    }
  }

  /** A versioned snapshot; `loadDetector(snapshot)` scores bit-identically. */
  toJSON(): DetectorSnapshot<ResolvedProphetDetectorOptions, ProphetDetectorState | null> {
    const fitted = this.#model !== null && this.#cal !== null;
    return {
      kind: this.kind,
      version: PROPHET_SNAPSHOT_VERSION,
      options: this.#o,
      state: fitted
        ? {
            model: (this.#model as Prophet).state,
            calibrator: (this.#cal as TailCalibrator).toJSON(),
            historyTimestamps: [...this.#histT],
            historyValues: this.#histV.map((v) => (Number.isNaN(v) ? null : v)),
            sinceRefit: this.#sinceRefit,
            lastT: Number.isFinite(this.#guard.lastTimestamp) ? this.#guard.lastTimestamp : null,
            counters: { ...this.#guard.counters },
            offset: this.#offset,
            run: [...this.#run],
            ...(this.#keepHistory ? {} : { keepHistory: false }),
            ...(this.#ahead ? { ahead: this.#ahead.toJSON() } : {}),
          }
        : null,
    };
  }

  /**
   * Restores a detector from {@link toJSON} output.
   * @throws {VigilInputError} `INVALID_SNAPSHOT` for a malformed snapshot; `INVALID_OPTION` for bad options.
   */
  static fromJSON(snapshot: DetectorSnapshot): ProphetDetector {
    const s = snapshot as DetectorSnapshot<ResolvedProphetDetectorOptions, ProphetDetectorState | null>;
    if (s?.kind !== 'prophet' || typeof s.options !== 'object' || s.options === null) {
      throw new VigilInputError('INVALID_SNAPSHOT', 'Not a prophet detector snapshot.', 'snapshot');
    }
    const d = new ProphetDetector(s.options);
    const st = s.state;
    if (st) {
      if (
        !Array.isArray(st.historyTimestamps) ||
        !Array.isArray(st.historyValues) ||
        typeof st.sinceRefit !== 'number'
      ) {
        throw new VigilInputError('INVALID_SNAPSHOT', 'Malformed prophet detector state.', 'state');
      }
      checkHistoryState(st, d.#o);
      d.#model = Prophet.fromJSON({ options: d.#prophetOptions, state: st.model });
      d.#cal = TailCalibrator.fromJSON(st.calibrator);
      d.#histT = [...st.historyTimestamps];
      d.#histV = st.historyValues.map((v) => (v === null ? Number.NaN : v));
      d.#sinceRefit = st.sinceRefit;
      d.#guard = new StreamGuard('prophet', st.lastT ?? Number.NEGATIVE_INFINITY);
      Object.assign(d.#guard.counters, st.counters);
      d.#offset = typeof st.offset === 'number' ? st.offset : 0;
      d.#run = Array.isArray(st.run) ? st.run.map(Number) : [];
      d.#keepHistory = st.keepHistory !== false;
      d.#ahead = st.ahead ? ForecastAhead.fromJSON(st.ahead, aheadHorizon(d.#o)) : undefined;
    }
    return d;
  }

  // A run of same-side anomalies long enough is a new normal: move the forecast's level to it.
  #adapt(anomalous: boolean, residual: number): void {
    if (this.#o.adaptAfter === 0) return;
    if (this.#run.length > 0 && (!anomalous || Math.sign(this.#run[0]) !== Math.sign(residual)))
      this.#run = [];
    if (!anomalous) return;
    this.#run.push(residual);
    if (this.#run.length >= this.#o.adaptAfter) {
      this.#offset += medianInPlace(Float64Array.from(this.#run), this.#run.length);
      this.#run = [];
    }
  }

  // After a refit on history that straddles a level shift, the fit sits between the levels; the median residual
  // of the latest points says how far, and becomes the new level correction.
  #recentLevelError(): number {
    if (this.#o.adaptAfter === 0 || !this.#model) return 0;
    const k = Math.min(this.#histT.length, 2 * this.#o.adaptAfter);
    const ts = this.#histT.slice(-k);
    const vs = this.#histV.slice(-k);
    const f = this.#predict(this.#model, ts);
    const r = vs.map((v, i) => v - f.yhat[i]).filter((v) => !Number.isNaN(v));
    return r.length > 0 ? medianInPlace(Float64Array.from(r), r.length) : 0;
  }

  #fitOn(timestamps: Float64Array, values: Float64Array): void {
    const model = this.#fitModel(timestamps, values);
    const cal = this.#calibrate(model, model.predict(this.#future(timestamps)), values);
    const ahead = this.#ahead ? this.#forecastAhead(model, timestamps) : undefined;
    this.#model = model;
    this.#cal = cal;
    this.#ahead = ahead;
  }

  // The forecast update would make at each of the next regular steps, made now (in a Pipeline: in the fit worker).
  #forecastAhead(model: Prophet, timestamps: Float64Array): ForecastAhead | undefined {
    return ForecastAhead.compute(timestamps, aheadHorizon(this.#o), (t) => model.predict(this.#future([t])));
  }

  #fitModel(timestamps: Float64Array, values: Float64Array): Prophet {
    return new Prophet(this.#prophetOptions).fit({
      timestamps,
      values,
      ...this.#constants(timestamps.length),
    });
  }

  #calibrate(model: Prophet, f: ProphetForecast, values: Float64Array): TailCalibrator {
    const n = values.length;
    const raw = new Float64Array(n);
    const floor = halfWidthFloor(model);
    for (let i = 0; i < n; i++) raw[i] = bandDistance(values[i], f, i, floor);
    // Band distances below 0.01 are numerical noise when the band sits on its floor (see halfWidthFloor).
    return TailCalibrator.fit(raw, { resolution: 0.01 });
  }

  // Forecasts at timestamps that may repeat (Prophet's own predict wants them strictly increasing): predicts each
  // distinct timestamp once and spreads the forecast over its repeats.
  #predict(model: Prophet, timestamps: ArrayLike<number>): ProphetForecast {
    let repeats = false;
    for (let i = 1; i < timestamps.length && !repeats; i++) repeats = timestamps[i] === timestamps[i - 1];
    if (!repeats) return model.predict(this.#future(timestamps));
    const unique: number[] = [];
    const at = new Int32Array(timestamps.length);
    for (let i = 0; i < timestamps.length; i++) {
      if (i === 0 || timestamps[i] !== timestamps[i - 1]) unique.push(timestamps[i]);
      at[i] = unique.length - 1;
    }
    const f = model.predict(this.#future(unique));
    const spread = (a: Float64Array) => Float64Array.from(at, (k) => a[k]);
    return {
      ...f,
      timestamps: Float64Array.from(timestamps),
      yhat: spread(f.yhat),
      yhatLower: spread(f.yhatLower),
      yhatUpper: spread(f.yhatUpper),
    };
  }

  #future(timestamps: ArrayLike<number>): {
    timestamps: ArrayLike<number>;
    cap?: Float64Array;
    floor?: Float64Array;
  } {
    return { timestamps, ...this.#constants(timestamps.length) };
  }

  #constants(n: number): { cap?: Float64Array; floor?: Float64Array } {
    if ((this.#prophetOptions.growth ?? 'linear') !== 'logistic') return {};
    const out: { cap?: Float64Array; floor?: Float64Array } = {
      cap: new Float64Array(n).fill(this.#o.cap as number),
    };
    if (this.#o.floor !== undefined) out.floor = new Float64Array(n).fill(this.#o.floor);
    return out;
  }

  #fitted(): { model: Prophet; cal: TailCalibrator } {
    if (!this.#model || !this.#cal) {
      throw new VigilInputError(
        'NOT_FITTED',
        'Call fit() on the prophet detector before score() or update().',
        'detector',
      );
    }
    return { model: this.#model, cal: this.#cal };
  }
}

// Distance from yhat in half-widths of the interval on the point's side (at least `floor`); NaN for a missing value.
function bandDistance(v: number, f: ProphetForecast, i: number, floor: number): number {
  return bandDistanceOf(v, f.yhat[i], f.yhatLower[i], f.yhatUpper[i], floor);
}

function bandDistanceOf(v: number, yhat: number, lower: number, upper: number, floor: number): number {
  if (Number.isNaN(v)) return Number.NaN;
  const r = v - yhat;
  const half = r >= 0 ? upper - yhat : yhat - lower;
  return Math.abs(r) / Math.max(half, floor);
}

// Steps forecast at fit: the points streamed until the refit is due, and a quarter more while it runs.
function aheadHorizon(o: ResolvedProphetDetectorOptions): number {
  return o.refitEvery > 0 ? Math.ceil(1.25 * o.refitEvery) : 0;
}

// The narrowest band half-width used: 1e-6 of the scale of y. The noise σ comes from a residual sum of squares
// computed through the Gram matrix, which cancels below ≈ ε·Σy² (ε = 2.2e-16), and the fitted trend of a noise-free
// series drifts by ≈ 1e-13 of y per point until the next refit: a noise-free (e.g. constant) training series fits
// σ = 0 and a zero-width band. With this floor the statistic stays finite there, numerical drift stays under 0.01
// (the calibrator's resolution) for 10⁵ points, and a departure of 1e-4 of the level is already 100 band widths.
function halfWidthFloor(model: Prophet): number {
  const { yScale, yMin } = model.state;
  return 1e-6 * Math.max(yScale, Math.abs(yMin), Number.MIN_VALUE);
}

// Sizes and ranges of the streaming state, checked before it is copied: the history is trimmed at twice maxHistory.
function checkHistoryState(st: ProphetDetectorState, o: ResolvedProphetDetectorOptions): void {
  const bad = (field: string, rule: string): never => {
    throw new VigilInputError(
      'INVALID_SNAPSHOT',
      `Prophet detector snapshot: state.${field} ${rule}; save the detector again with toJSON().`,
      `state.${field}`,
    );
  };
  const n = st.historyTimestamps.length;
  if (n >= 2 * o.maxHistory)
    bad(
      'historyTimestamps',
      `has ${n} points; at most ${2 * o.maxHistory - 1} with maxHistory ${o.maxHistory}`,
    );
  if (st.historyValues.length !== n)
    bad('historyValues', `has ${st.historyValues.length} values for ${n} timestamps`);
  for (let i = 0; i < n; i++) {
    const t = st.historyTimestamps[i];
    if (typeof t !== 'number' || !Number.isFinite(t) || (i > 0 && !(t > st.historyTimestamps[i - 1]))) {
      bad(`historyTimestamps[${i}]`, 'must be finite and strictly increasing');
    }
    const v = st.historyValues[i];
    if (v !== null && (typeof v !== 'number' || !Number.isFinite(v)))
      bad(`historyValues[${i}]`, 'must be a finite number or null');
  }
  if (!Number.isInteger(st.sinceRefit) || st.sinceRefit < 0)
    bad('sinceRefit', `must be an integer >= 0; got ${st.sinceRefit}`);
  if (st.offset !== undefined && !Number.isFinite(st.offset))
    bad('offset', `must be a finite number; got ${st.offset}`);
  if (st.run !== undefined && (!Array.isArray(st.run) || st.run.length > Math.max(o.adaptAfter, 1))) {
    bad('run', `must hold at most adaptAfter = ${o.adaptAfter} residuals`);
  }
}
