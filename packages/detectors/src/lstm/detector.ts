import { diag } from '@opentelemetry/api';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import {
  assertSameColumns,
  createRng,
  type Detector,
  type DetectorSnapshot,
  type FitOptions,
  type Frame,
  type FrameLike,
  isFrameLike,
  type PointScore,
  type Scores,
  type SeriesLike,
  StreamGuard,
  throwIfAborted,
  toFrame,
  toSeries,
  VigilInputError,
} from '@vigil/core';
import { type BackendChoice, isBackendReady, selectBackend, settledBackend, useBackend } from './backend.js';
import { ErrorScorer, type ErrorScorerState } from './error-scorer.js';
import { ewmaAlpha } from './error-smoothing.js';
import { aggregateForecasts, predictionErrors, rowError } from './forecast-errors.js';
import { loadModelWeights, readSavedDetector, saveModelDirectory } from './model-io.js';
import {
  buildNetwork,
  type NetworkShape,
  predictWindows,
  readWeights,
  type TrainReport,
  trainNetwork,
  writeWeights,
} from './network.js';
import { type LstmDetectorOptions, type ResolvedLstmOptions, resolveLstmOptions } from './options.js';
import { fitScaler, type Scaler, scaleRows } from './scaler.js';
import { tfjs } from './tfjs.js';
import { decodeFloat32, type EncodedWeight, encodeFloat32 } from './weights.js';
import { makeWindows, predictionWindows } from './windows.js';

/** Snapshot version written by this code; `fromJSON` reads versions 1 … this. */
export const LSTM_VERSION = 1;

// Held-out points needed before calibration uses only them; with fewer, the whole training series calibrates.
const MIN_HELD_OUT_CALIBRATION = 200;
// Fewest complete training windows worth fitting a network on.
const MIN_WINDOWS = 16;

/** How the detector was trained, for inspection and for the snapshot. */
export interface LstmTraining extends TrainReport {
  /** Which errors the calibrator was fitted on: the held-out validation points, or all training points. */
  readonly calibratedOn: 'validation' | 'all';
  /** Number of smoothed errors the calibrator was fitted on. */
  readonly calibrationPoints: number;
}

/** The serialised fitted state of an {@link LstmDetector}. */
export interface LstmState {
  readonly columns: string[];
  /** True when fitted on a series (so `score` also accepts series and `update` scalars). */
  readonly univariate: boolean;
  readonly scaler: Scaler;
  /** Weights in `model.getWeights()` order, float32 little-endian base64. */
  readonly weights: EncodedWeight[];
  readonly calibrator: ErrorScorerState;
  /** The backend the network was trained on (scores are bit-identical on the same backend). */
  readonly backend: string;
  readonly training: LstmTraining;
  readonly stream: {
    readonly lastT: number | null;
    /** The last `window` scaled rows, float32 base64. */
    readonly history: string;
    /** Forecasts of the last up to `horizon` windows, oldest first, float32 base64 each. */
    readonly pending: string[];
    /** The smoothed error of the last scored point (null before any). */
    readonly smoothed: number | null;
    readonly counters: { scored: number; missing: number; dropped: number };
  };
}

/** A {@link DetectorSnapshot} of an {@link LstmDetector}. */
export type LstmSnapshot = DetectorSnapshot<ResolvedLstmOptions, LstmState | null>;

interface Fitted {
  columns: string[];
  univariate: boolean;
  scaler: Scaler;
  weights: { shape: number[]; values: Float32Array }[];
  scorer: ErrorScorer;
  trainedOn: string;
  training: LstmTraining;
  history: Float32Array;
  pending: Float32Array[];
  smoothed: number;
  guard: StreamGuard;
}

/**
 * A windowed LSTM forecaster that flags points its forecast did not expect — Telemanom (Hundman et al. 2018,
 * "Detecting Spacecraft Anomalies Using LSTMs and Nonparametric Dynamic Thresholding", KDD): a network trained on
 * normal data forecasts each point from the `window` before it; the errors are smoothed with an exponentially
 * weighted average; and instead of Telemanom's per-window threshold search, the smoothed error is calibrated
 * against the training errors with a peaks-over-threshold tail (`TailCalibrator` of `@vigil/core`), so the score is
 * `1 − p` like every Vigil detector. Univariate (a series) or multivariate (a frame: all columns forecast
 * jointly). Runs on TensorFlow.js with the backend picked at run time: see {@link LstmBackend}.
 *
 * @example
 * const d = new LstmDetector({ window: 24, epochs: 30, seed: 1 });
 * await d.fit(train);                 // a series or a frame of normal behaviour
 * d.backend;                          // 'wasm' unless @tensorflow/tfjs-node is installed
 * const { score, isAnomaly, expected, lower, upper } = await d.score(test);
 * d.update(Date.now(), 0.42);         // streaming: score the point, then add it to the window
 */
export class LstmDetector implements Detector<FrameLike | SeriesLike> {
  readonly kind = 'lstm';
  readonly #options: ResolvedLstmOptions;
  #fitted: Fitted | undefined;
  #choice: BackendChoice | undefined;
  #model: LayersModel | undefined;

  /**
   * @throws {VigilInputError} `INVALID_OPTION` for an option out of range (see {@link LstmDetectorOptions}).
   */
  constructor(options: LstmDetectorOptions = {}) {
    this.#options = resolveLstmOptions(options);
  }

  /** The options with defaults filled in. */
  get options(): Readonly<ResolvedLstmOptions> {
    return { ...this.#options };
  }

  /** Score at or above which a point is anomalous: `threshold`, else `1 − targetFpr` (default 0.999). */
  get threshold(): number {
    return this.#options.threshold;
  }

  /** True after `fit` or after restoring a fitted snapshot. */
  get fitted(): boolean {
    return this.#fitted !== undefined;
  }

  /** The TensorFlow.js backend in use (`'tensorflow'`, `'wasm'` or `'cpu'`), undefined until `fit`/`score`/`ready`. */
  get backend(): BackendChoice['name'] | undefined {
    return this.#choice?.name;
  }

  /** Why a slower backend than the preferred one is in use (e.g. "@tensorflow/tfjs-node is not installed; …"), else ''. */
  get backendNote(): string {
    return this.#choice?.note ?? '';
  }

  /** Epoch losses, early-stopping epoch and calibration set of the last fit; undefined before. */
  get training(): LstmTraining | undefined {
    return this.#fitted?.training;
  }

  /** Points seen by `update`, by outcome. */
  get counters(): { scored: number; missing: number; dropped: number } {
    return { ...(this.#fitted?.guard.counters ?? { scored: 0, missing: 0, dropped: 0 }) };
  }

  /**
   * Selects the backend (see {@link LstmBackend}) and loads the network onto it. `fit` and `score` call it; call it
   * yourself after `loadDetector` when the first call will be `update`, which cannot wait for the WASM backend.
   *
   * @throws {VigilInputError} `INVALID_OPTION` when a forced backend is unavailable, saying what to install.
   */
  async ready(): Promise<BackendChoice['name']> {
    this.#choice = await selectBackend(this.#options.backend);
    return this.#choice.name;
  }

  /**
   * Trains the network on normal behaviour, then calibrates scores on its prediction errors. Missing values (NaN)
   * are carried forward as inputs and windows whose targets are missing are skipped. Training reports every epoch
   * through `options.onProgress` and stops within one batch of `options.signal` aborting.
   *
   * @throws {VigilInputError} input codes of `toSeries`/`toFrame`; `TOO_SHORT` with fewer than 16 complete windows
   *   of `window + horizon` points; `INVALID_OPTION` when a forced backend is unavailable.
   * @throws {VigilAbortError} `ABORTED` when `options.signal` fired. Either way the previous fit is kept.
   * @example
   * await d.fit(train, { onProgress: (p) => console.log(p.message), signal: AbortSignal.timeout(60_000) });
   */
  async fit(train: FrameLike | SeriesLike, options: FitOptions = {}): Promise<void> {
    const { signal, onProgress } = options;
    throwIfAborted(signal, 'lstm fit');
    const { frame, univariate } = asFrame(train, 'train');
    const o = this.#options;
    const d = frame.columns.length;
    const scaler = fitScaler(frame.values);
    const { rows, observed } = scaleRows(frame.values, scaler);
    const pairs = makeWindows(rows, observed, d, o.window, o.horizon);
    if (pairs.count < MIN_WINDOWS) {
      throw new VigilInputError(
        'TOO_SHORT',
        `Training needs at least ${MIN_WINDOWS} complete windows of window + horizon = ${o.window + o.horizon} observed points; got ${pairs.count} from ${frame.timestamps.length} points. Fit on a longer series or lower options.window.`,
        'train',
      );
    }
    await this.ready();
    throwIfAborted(signal, 'lstm fit');
    // Progress: the epochs are the fit's bulk (0–95 %); prediction and calibration the rest.
    const report = (phase: string, done: number, total: number, fraction: number, message: string) =>
      onProgress?.({ kind: 'lstm', phase, done, total, fraction, message });
    report('train', 0, o.epochs, 0, `training on ${pairs.count} windows, up to ${o.epochs} epochs`);
    const rng = createRng(o.seed);
    const shape = this.#shape(d);
    const model = buildNetwork(shape, rng);
    let fitted: Fitted;
    try {
      const trained = await trainNetwork(model, pairs, shape, o, rng, {
        beforeBatch: () => throwIfAborted(signal, 'lstm fit'),
        afterEpoch: (epoch, trainLoss, validationLoss) =>
          report(
            'train',
            epoch,
            o.epochs,
            (0.95 * epoch) / o.epochs,
            `epoch ${epoch}/${o.epochs}: loss ${trainLoss.toPrecision(3)}, validation ${validationLoss.toPrecision(3)}`,
          ),
      });
      throwIfAborted(signal, 'lstm fit');
      const n = frame.timestamps.length;
      const pred = predictWindows(model, predictionWindows(rows, n, d, o.window), n - o.window + 1, shape);
      const expected = aggregateForecasts(pred, n, d, o.window, o.horizon);
      const alpha = ewmaAlpha(o.errorSmoothing);
      const errors = predictionErrors(rows, observed, expected, d);
      // Errors on windows the network was not trained on are honest about its generalisation; prefer them.
      const heldOutFrom = Math.max(o.window, n - trained.validationWindows);
      const heldOutCount = countFinite(errors.subarray(heldOutFrom));
      const useHeldOut = trained.validationWindows > 0 && heldOutCount >= MIN_HELD_OUT_CALIBRATION;
      const { scorer, last } = ErrorScorer.fit(errors, alpha, o.threshold, useHeldOut ? heldOutFrom : 0);
      const outRow = o.horizon * d;
      const pendingFrom = Math.max(0, n - o.window + 1 - o.horizon);
      fitted = {
        columns: [...frame.columns],
        univariate,
        scaler,
        weights: readWeights(model),
        scorer,
        trainedOn: this.#choice?.name ?? 'cpu',
        training: {
          ...trained,
          calibratedOn: useHeldOut ? 'validation' : 'all',
          calibrationPoints: useHeldOut ? heldOutCount : countFinite(errors),
        },
        history: rows.slice((n - o.window) * d, n * d),
        pending: Array.from({ length: n - o.window + 1 - pendingFrom }, (_, k) =>
          pred.slice((pendingFrom + k) * outRow, (pendingFrom + k + 1) * outRow),
        ),
        smoothed: last,
        guard: new StreamGuard('lstm', frame.timestamps[n - 1]),
      };
    } catch (e) {
      model.dispose();
      throw e;
    }
    this.#model?.dispose();
    this.#model = model;
    this.#fitted = fitted;
    report('done', 1, 1, 1, `trained in ${fitted.training.epochs} epochs on ${fitted.trainedOn}`);
  }

  /**
   * Scores `data` on its own (the first `window` points have no forecast: score 0, `expected` NaN) without changing
   * the model. `expected` is the forecast; `lower`/`upper` bound the values that would score below the threshold
   * (univariate only). `raw` is the prediction error in training standard deviations (RMS over columns).
   *
   * @throws {VigilInputError} `NOT_FITTED`; input codes of `toSeries`/`toFrame`; `COLUMN_MISMATCH` when a frame's
   *   columns differ from the training columns.
   */
  async score(data: FrameLike | SeriesLike): Promise<Scores> {
    const f = this.#requireFitted('score');
    const { frame } = asFrame(data, 'data');
    assertSameColumns(f.columns, frame);
    await this.ready();
    const model = this.#ensureModel(f);
    const o = this.#options;
    const d = f.columns.length;
    const n = frame.timestamps.length;
    const { rows, observed } = scaleRows(frame.values, f.scaler);
    const count = Math.max(0, n - o.window + 1);
    const shape = this.#shape(d);
    const forecast = (input: Float32Array) =>
      aggregateForecasts(
        predictWindows(model, predictionWindows(input, n, d, o.window), count, shape),
        n,
        d,
        o.window,
        o.horizon,
      );
    let expected = forecast(rows);
    let scored = scoreErrors(f.scorer, predictionErrors(rows, observed, expected, d), o.threshold);
    if (o.replaceAnomalies && scored.isAnomaly.includes(1)) {
      // One masking pass: forecast again with the flagged points replaced by their forecasts, as update() does.
      const masked = rows.slice();
      for (let i = 0; i < n; i++) {
        if (scored.isAnomaly[i]) for (let j = 0; j < d; j++) masked[i * d + j] = expected[i * d + j];
      }
      expected = forecast(masked);
      scored = scoreErrors(f.scorer, predictionErrors(rows, observed, expected, d), o.threshold);
    }
    const { errors, smoothed, score, isAnomaly } = scored;
    if (!f.univariate) return { score, isAnomaly, raw: errors };
    const mean = f.scaler.mean[0];
    const std = f.scaler.std[0];
    const exp = new Float64Array(n);
    const lower = new Float64Array(n);
    const upper = new Float64Array(n);
    let previous = Number.NaN;
    for (let i = 0; i < n; i++) {
      const half = f.scorer.halfWidth(o.threshold, previous) * std;
      exp[i] = expected[i] * std + mean;
      lower[i] = exp[i] - half;
      upper[i] = exp[i] + half;
      if (!Number.isNaN(smoothed[i])) previous = smoothed[i];
    }
    return { score, isAnomaly, expected: exp, lower, upper, raw: errors };
  }

  /**
   * Streaming: scores the point at `t` against the forecast made from the points before it, then slides the window
   * over it and forecasts the next points (the weights are not retrained). Continues from the end of the training
   * series. Never throws on bad points: NaN → `missing` (score 0, carried forward), an out-of-order or non-finite
   * timestamp or a wrong number of values → `dropped`.
   *
   * @throws {VigilInputError} `NOT_FITTED`; `NOT_READY` when TensorFlow.js is not loaded yet in this process (after
   *   `loadDetector`, call `await detector.ready()` once first).
   */
  update(t: number, x: number | ArrayLike<number>): PointScore {
    const f = this.#requireFitted('update');
    // Before anything about the point is recorded: a restored detector needs TensorFlow.js loaded (see ready()).
    tfjs();
    const d = f.columns.length;
    const arity = typeof x === 'number' ? 1 : x && typeof x === 'object' ? x.length : -1;
    if (arity !== d) {
      f.guard.counters.dropped++;
      diag.warn(`vigil lstm: dropped point at t=${t}: expected ${d} value(s), got ${String(x)}`);
      return { t, score: 0, isAnomaly: false, status: 'dropped' };
    }
    const status = f.guard.admit(t, x);
    if (status === 'dropped') return { t, score: 0, isAnomaly: false, status };
    this.#syncBackend();
    const model = this.#ensureModel(f);
    const o = this.#options;
    const values = typeof x === 'number' ? [x] : x;
    const last = f.history.subarray((o.window - 1) * d);
    const row = new Float32Array(d);
    for (let j = 0; j < d; j++) {
      const v = values[j];
      row[j] = Number.isNaN(v) ? last[j] : (v - f.scaler.mean[j]) / f.scaler.std[j];
    }
    const expected = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      let sum = 0;
      for (let k = 1; k <= f.pending.length; k++) sum += f.pending[f.pending.length - k][(k - 1) * d + j];
      expected[j] = sum / f.pending.length;
    }
    const alpha = ewmaAlpha(o.errorSmoothing);
    const previous = f.smoothed;
    let result: PointScore;
    const band = f.univariate ? this.#band(f, expected[0], previous) : {};
    if (status === 'missing') {
      result = { t, score: 0, isAnomaly: false, status, ...band };
    } else {
      const e = rowError(row, 0, expected, 0, d);
      const clipped = f.scorer.clip(e);
      const s = Number.isNaN(previous) ? clipped : alpha * clipped + (1 - alpha) * previous;
      f.smoothed = s;
      const score = f.scorer.score(e, s);
      result = { t, score, isAnomaly: score >= o.threshold, status: 'scored', raw: e, ...band };
    }
    f.history.copyWithin(0, d);
    f.history.set(result.isAnomaly && o.replaceAnomalies ? expected : row, (o.window - 1) * d);
    f.pending.push(predictWindows(model, f.history, 1, this.#shape(d)));
    if (f.pending.length > o.horizon) f.pending.shift();
    return result;
  }

  /**
   * Saves the detector to a directory: the network through tfjs' IO (`model.json` + `weights.bin`, loadable by
   * `tf.loadLayersModel`) and the rest of the snapshot as `vigil.json`. Restore with {@link LstmDetector.load}.
   *
   * @throws {VigilInputError} `NOT_FITTED`; file-system errors as thrown by `node:fs`.
   */
  async save(dir: string): Promise<void> {
    const f = this.#requireFitted('save');
    await this.ready();
    const model = this.#ensureModel(f);
    const snapshot = this.toJSON();
    await saveModelDirectory(dir, model, { ...snapshot, state: { ...snapshot.state, weights: [] } });
  }

  /**
   * Loads a detector saved with {@link LstmDetector.save}; it scores bit-identically to the saved one on the same
   * backend.
   *
   * @throws {VigilInputError} `INVALID_SNAPSHOT` naming a missing or malformed file; as {@link LstmDetector.fromJSON}.
   */
  static async load(dir: string): Promise<LstmDetector> {
    const saved = (await readSavedDetector(dir)) as LstmSnapshot | null;
    // Load the network on the backend the detector will run on, so no tensor has to move afterwards.
    await selectBackend(resolveLstmOptions(saved?.options ?? {}).backend);
    const weights = await loadModelWeights(dir);
    const encoded = weights.map((w) => ({ shape: w.shape, data: encodeFloat32(w.values) }));
    const restored = LstmDetector.fromJSON({
      ...(saved as LstmSnapshot),
      state: saved?.state ? { ...saved.state, weights: encoded } : null,
    });
    await restored.ready();
    return restored;
  }

  /** A versioned snapshot with the weights as base64 float32; `loadDetector(snapshot)` scores bit-identically. */
  toJSON(): LstmSnapshot {
    const f = this.#fitted;
    const state: LstmState | null = f
      ? {
          columns: [...f.columns],
          univariate: f.univariate,
          scaler: { mean: [...f.scaler.mean], std: [...f.scaler.std] },
          weights: f.weights.map((w) => ({ shape: [...w.shape], data: encodeFloat32(w.values) })),
          calibrator: f.scorer.toJSON(),
          backend: f.trainedOn,
          training: {
            ...f.training,
            trainLoss: [...f.training.trainLoss],
            validationLoss: [...f.training.validationLoss],
          },
          stream: {
            lastT: Number.isFinite(f.guard.lastTimestamp) ? f.guard.lastTimestamp : null,
            history: encodeFloat32(f.history),
            pending: f.pending.map(encodeFloat32),
            smoothed: Number.isNaN(f.smoothed) ? null : f.smoothed,
            counters: { ...f.guard.counters },
          },
        }
      : null;
    return { kind: this.kind, version: LSTM_VERSION, options: { ...this.#options }, state };
  }

  /**
   * Restores a detector from {@link LstmDetector.toJSON} output (also through `loadDetector`).
   *
   * @throws {VigilInputError} `INVALID_SNAPSHOT` naming the malformed field; `SNAPSHOT_VERSION` for a newer snapshot;
   *   `INVALID_OPTION` for options out of range.
   */
  static fromJSON(snapshot: DetectorSnapshot): LstmDetector {
    const s = snapshot as LstmSnapshot;
    if (s?.kind !== 'lstm') {
      throw new VigilInputError(
        'INVALID_SNAPSHOT',
        `Expected an 'lstm' snapshot; got kind ${String(s?.kind)}.`,
        'kind',
      );
    }
    if (!Number.isInteger(s.version) || s.version < 1 || s.version > LSTM_VERSION) {
      throw new VigilInputError(
        'SNAPSHOT_VERSION',
        `lstm snapshot version ${s.version} is not readable by this code (reads 1 to ${LSTM_VERSION}); upgrade @vigil/detectors.`,
        'version',
      );
    }
    const detector = new LstmDetector(s.options ?? {});
    if (s.state === null || s.state === undefined) return detector;
    detector.#fitted = restoreState(s.state, detector.#options, (d) => detector.#shape(d));
    return detector;
  }

  /** Architecture for `d` columns. */
  #shape(d: number): NetworkShape {
    const o = this.#options;
    return { window: o.window, features: d, horizon: o.horizon, units: o.units, layers: o.layers };
  }

  #requireFitted(call: string): Fitted {
    if (!this.#fitted) {
      throw new VigilInputError(
        'NOT_FITTED',
        `LstmDetector.${call}() needs a fitted model: call fit(train) first.`,
        'detector',
      );
    }
    return this.#fitted;
  }

  // The network lives on one backend; another detector may have switched the global one since.
  #ensureModel(f: Fitted): LayersModel {
    if (this.#choice) useBackend(this.#choice.name);
    if (!this.#model) {
      const model = buildNetwork(this.#shape(f.columns.length), createRng(this.#options.seed));
      writeWeights(model, f.weights);
      this.#model = model;
    }
    return this.#model;
  }

  // update() is synchronous: use the preferred backend if it is already up, else the CPU (always synchronous).
  #syncBackend(): void {
    if (this.#choice) return;
    const settled = settledBackend(this.#options.backend);
    const forced =
      this.#options.backend === 'auto' ? undefined : (this.#options.backend as BackendChoice['name']);
    if (settled) this.#choice = settled;
    else if (forced && isBackendReady(forced)) this.#choice = { name: forced, note: '' };
    else {
      this.#choice = {
        name: 'cpu',
        note: `update() ran before the '${this.#options.backend}' backend was selected; call await detector.ready() after loading to use it`,
      };
      diag.warn(`vigil lstm: ${this.#choice.note}`);
    }
  }

  #band(f: Fitted, expectedScaled: number, previous: number) {
    const std = f.scaler.std[0];
    const expected = expectedScaled * std + f.scaler.mean[0];
    const half = f.scorer.halfWidth(this.#options.threshold, previous) * std;
    return { expected, lower: expected - half, upper: expected + half };
  }
}

function scoreErrors(scorer: ErrorScorer, errors: Float64Array, threshold: number) {
  const { smoothed } = scorer.smooth(errors);
  const score = new Float64Array(errors.length);
  const isAnomaly = new Uint8Array(errors.length);
  for (let i = 0; i < errors.length; i++) {
    score[i] = scorer.score(errors[i], smoothed[i]);
    isAnomaly[i] = score[i] >= threshold ? 1 : 0;
  }
  return { errors, smoothed, score, isAnomaly };
}

function countFinite(a: Float64Array): number {
  let c = 0;
  for (let i = 0; i < a.length; i++) if (!Number.isNaN(a[i])) c++;
  return c;
}

/**
 * Validates a series or frame input; a series becomes a one-column frame named `value`. Training data has points that
 * share a timestamp merged (the last wins); data to score keeps them, one score per point.
 */
function asFrame(input: FrameLike | SeriesLike, what: string): { frame: Frame; univariate: boolean } {
  const duplicates = what === 'train' ? 'last' : 'keep';
  if (isFrameLike(input)) return { frame: toFrame(input, { duplicates }), univariate: false };
  const s = toSeries(input as SeriesLike, what, { duplicates });
  return { frame: { timestamps: s.timestamps, columns: ['value'], values: [s.values] }, univariate: true };
}

function restoreState(
  state: LstmState,
  o: ResolvedLstmOptions,
  shapeFor: (d: number) => NetworkShape,
): Fitted {
  const bad = (field: string, rule: string): never => {
    throw new VigilInputError(
      'INVALID_SNAPSHOT',
      `state.${field} ${rule}; re-save the detector with toJSON().`,
      `state.${field}`,
    );
  };
  if (!Array.isArray(state.columns) || state.columns.length === 0)
    bad('columns', 'must be a non-empty array');
  const d = state.columns.length;
  const sc = state.scaler;
  if (
    !sc ||
    !Array.isArray(sc.mean) ||
    !Array.isArray(sc.std) ||
    sc.mean.length !== d ||
    sc.std.length !== d
  ) {
    bad('scaler', `must hold mean and std for ${d} columns`);
  }
  const expectedShapes = weightShapes(shapeFor(d));
  if (!Array.isArray(state.weights) || state.weights.length !== expectedShapes.length) {
    bad('weights', `must hold ${expectedShapes.length} tensors for this architecture`);
  }
  const weights = state.weights.map((w, i) => {
    const shape = expectedShapes[i];
    if (!Array.isArray(w?.shape) || w.shape.join(',') !== shape.join(',')) {
      bad(`weights[${i}].shape`, `must be [${shape.join(', ')}] for these options`);
    }
    const size = shape.reduce((a, b) => a * b, 1);
    return { shape: [...shape], values: decodeFloat32(w.data, size, `state.weights[${i}].data`) };
  });
  const scorer = ErrorScorer.fromJSON(state.calibrator);
  const st = state.stream;
  if (!st || !Array.isArray(st.pending) || st.pending.length < 1 || st.pending.length > o.horizon) {
    bad('stream', `must hold the window history and 1 to ${o.horizon} pending forecasts`);
  }
  const counters = st.counters ?? { scored: 0, missing: 0, dropped: 0 };
  const guard = new StreamGuard('lstm', typeof st.lastT === 'number' ? st.lastT : Number.NEGATIVE_INFINITY);
  Object.assign(guard.counters, counters);
  return {
    columns: [...state.columns],
    univariate: state.univariate === true,
    scaler: { mean: [...sc.mean], std: [...sc.std] },
    weights,
    scorer,
    trainedOn: String(state.backend),
    training: state.training,
    history: decodeFloat32(st.history, o.window * d, 'state.stream.history'),
    pending: st.pending.map((p, k) => decodeFloat32(p, o.horizon * d, `state.stream.pending[${k}]`)),
    smoothed: typeof st.smoothed === 'number' ? st.smoothed : Number.NaN,
    guard,
  };
}

// Keras' LSTM weight layout: kernel [in, 4u], recurrent kernel [u, 4u], bias [4u]; then the dense kernel and bias.
function weightShapes(shape: NetworkShape): number[][] {
  const out: number[][] = [];
  let inputs = shape.features;
  for (let l = 0; l < shape.layers; l++) {
    out.push([inputs, 4 * shape.units], [shape.units, 4 * shape.units], [4 * shape.units]);
    inputs = shape.units;
  }
  out.push([shape.units, shape.horizon * shape.features], [shape.horizon * shape.features]);
  return out;
}
