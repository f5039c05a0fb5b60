import {
  assertSameColumns,
  createRng,
  type Detector,
  type DetectorSnapshot,
  type FitOptions,
  type FrameLike,
  isFrameLike,
  type PointScore,
  type Rng,
  type Scores,
  type SeriesLike,
  StreamGuard,
  TailCalibrator,
  type TailCalibratorState,
  throwIfAborted,
  toFrame,
  toSeries,
  VigilInputError,
  yieldAndCheck,
} from '@vigil/core';
import { FlatForest, type ForestState } from './flat-forest.js';
import { growForest, type RowReader } from './grow-forest.js';
import {
  extensionLevelFor,
  featuresPerTreeFor,
  type IsolationForestOptions,
  MIN_TRAIN_ROWS,
  type ResolvedIsolationForestOptions,
  resolveOptions,
  sampleSizeFor,
  thresholdOf,
} from './options.js';
import { RecentRows, type RecentRowsState } from './recent-rows.js';
import { sampleWithoutReplacement } from './sample-without-replacement.js';
import { RollingFeatures, type RollingFeaturesState } from './series-features.js';

/** Newest snapshot version {@link IsolationForestDetector.fromJSON} reads. */
export const ISOLATION_FOREST_VERSION = 1;

/** The fitted part of an isolation-forest snapshot (`null` when not fitted). */
export interface IsolationForestState {
  /** `'series'`: fitted on a univariate series through the feature builder; `'frame'`: on a frame's columns. */
  readonly mode: 'series' | 'frame';
  /** Input columns the model was fitted on (`['value']` for a series). */
  readonly columns: string[];
  /** Complete training rows the forest and calibration came from. */
  readonly trainRows: number;
  readonly forest: ForestState;
  readonly calibrator: TailCalibratorState;
  readonly stream: {
    readonly lastT: number | null;
    readonly counters: { scored: number; missing: number; dropped: number };
    readonly rolling: RollingFeaturesState | null;
    readonly recent: RecentRowsState;
    readonly sinceRefit: number;
    readonly rng: [number, number, number, number];
  };
}

/** Snapshot of an {@link IsolationForestDetector}. */
export type IsolationForestSnapshot = DetectorSnapshot<
  ResolvedIsolationForestOptions,
  IsolationForestState | null
>;

interface Model {
  readonly mode: 'series' | 'frame';
  readonly columns: string[];
  readonly trainRows: number;
  forest: FlatForest;
  calibrator: TailCalibrator;
  readonly guard: StreamGuard;
  readonly rolling: RollingFeatures | undefined;
  readonly recent: RecentRows;
  sinceRefit: number;
  readonly rng: Rng;
  readonly row: Float64Array;
}

interface Prepared {
  readonly mode: 'series' | 'frame';
  readonly columns: string[];
  readonly features: readonly Float64Array[];
  readonly timestamps: Float64Array;
  readonly rolling: RollingFeatures | undefined;
}

/**
 * Isolation Forest (Liu, Ting & Zhou 2008, "Isolation Forest", ICDM): anomalies are few and different, so random
 * axis-parallel splits isolate them in fewer steps. Grows `nTrees` trees on subsamples of ψ rows with height limit
 * ⌈log2 ψ⌉ and scores s(x) = 2^(−E[h(x)] / c(ψ)) (eq. 2); `extensionLevel` > 0 gives the Extended Isolation Forest
 * (Hariri et al. 2018). The raw score is calibrated on the training rows with a GPD tail ({@link TailCalibrator}),
 * so `score` = 1 − p with p the estimated share of normal rows at least as isolated.
 *
 * Input is a frame (one column per metric, e.g. cpu, memory, latency, error rate); a univariate series goes through
 * `RollingFeatures` (value, first difference, rolling z-scores over `windows`). A row with a missing value
 * scores 0. `update(t, x)` scores with the current forest, then keeps the row in a bounded ring of recent rows;
 * every `refitEvery` points it asks (`needsRefit`) for the forest to be regrown from them (`refit()`, or a fresh fit
 * in a `Pipeline`'s worker pool), and never regrows it itself.
 *
 * @example
 * const d = new IsolationForestDetector({ seed: 1 });
 * await d.fit({ timestamps, columns: ['cpu', 'mem'], values: [cpu, mem] });
 * const { score, isAnomaly } = await d.score(latest);
 */
export class IsolationForestDetector implements Detector<FrameLike | SeriesLike> {
  readonly kind = 'isolation-forest';
  /** Score at or above which a row is anomalous: `threshold`, else 1 − `contamination`, else 1 − `targetFpr`. */
  readonly threshold: number;
  readonly #options: ResolvedIsolationForestOptions;
  #model: Model | undefined;

  /**
   * @throws {VigilInputError} `INVALID_OPTION` naming the option that is out of range.
   */
  constructor(options: IsolationForestOptions = {}) {
    this.#options = resolveOptions(options);
    this.threshold = thresholdOf(this.#options);
  }

  get fitted(): boolean {
    return this.#model !== undefined;
  }

  /** The resolved options (defaults filled in). */
  get options(): ResolvedIsolationForestOptions {
    return this.#options;
  }

  /** Points `update` scored, skipped as missing, or dropped (zeros before `fit`). */
  get counters(): { scored: number; missing: number; dropped: number } {
    return { ...(this.#model?.guard.counters ?? { scored: 0, missing: 0, dropped: 0 }) };
  }

  /**
   * Grows the forest on the complete rows of `train` (rows with a missing value are skipped) and calibrates scores
   * on them (on `calibrationRows` of them drawn at random when there are more).
   *
   * @throws {VigilInputError} input codes of `toFrame`/`toSeries` (`RAGGED_ROWS` comes from `frameFromRows`),
   *   `TOO_SHORT` with fewer than 16 complete rows, `INVALID_OPTION` when `maxFeatures`/`extensionLevel` exceed
   *   the features. The previous model is kept on error.
   * @throws {VigilAbortError} `ABORTED` when `options.signal` fired (checked, after yielding to the event loop,
   *   before growing the forest and before calibrating, the two steps `options.onProgress` reports).
   */
  async fit(train: FrameLike | SeriesLike, options: FitOptions = {}): Promise<void> {
    const { signal, onProgress } = options;
    throwIfAborted(signal, 'isolation-forest fit');
    const p = prepare(train, this.#options.windows, undefined);
    const d = p.features.length;
    const n = p.timestamps.length;
    const complete = completeRows(p.features, n);
    const rowCount = complete ? complete.length : n;
    if (rowCount < MIN_TRAIN_ROWS) {
      throw new VigilInputError(
        'TOO_SHORT',
        `Isolation forest needs at least ${MIN_TRAIN_ROWS} rows without missing values to train on; got ${rowCount}. Fit on a longer window.`,
        'train',
      );
    }
    const rng = createRng(this.#options.seed);
    const readRow: RowReader = (index, out, offset) => {
      const i = complete ? complete[index] : index;
      for (let j = 0; j < d; j++) out[offset + j] = p.features[j][i];
    };
    const trees = this.#options.nTrees;
    const report = (phase: string, done: number, fraction: number, message: string) =>
      onProgress?.({ kind: this.kind, phase, done, total: trees, fraction, message });
    report('grow', 0, 0, `growing ${trees} trees on ${rowCount} rows of ${d} features`);
    await yieldAndCheck(signal, 'isolation-forest fit');
    const forest = grow(this.#options, d, rowCount, readRow, rng);
    report('calibrate', trees, 0.7, 'calibrating scores on the training rows');
    await yieldAndCheck(signal, 'isolation-forest fit');
    const calibrator = calibrate(forest, rowCount, readRow, this.#options.calibrationRows, rng);
    const recent = new RecentRows(this.#options.reservoirSize, d);
    const row = new Float64Array(d);
    for (let k = Math.max(0, rowCount - recent.capacity); k < rowCount; k++) {
      readRow(k, row, 0);
      recent.push(row);
    }
    this.#model = {
      mode: p.mode,
      columns: p.columns,
      trainRows: rowCount,
      forest,
      calibrator,
      guard: new StreamGuard(this.kind, p.timestamps[n - 1]),
      rolling: p.rolling,
      recent,
      sinceRefit: 0,
      rng,
      row,
    };
    report('done', trees, 1, `fitted ${trees} trees on ${rowCount} rows`);
  }

  /**
   * Scores every row of `data` with the current forest; the model does not change.
   *
   * @throws {VigilInputError} `NOT_FITTED`; `COLUMN_MISMATCH` when the columns (or series/frame kind) differ from
   *   the fitted ones; input codes of `toFrame`/`toSeries`.
   */
  async score(data: FrameLike | SeriesLike): Promise<Scores> {
    const m = this.#fittedModel();
    const p = prepare(data, this.#options.windows, m);
    const n = p.timestamps.length;
    const raw = new Float64Array(n);
    m.forest.scoreColumns(p.features, raw);
    const score = new Float64Array(n);
    const isAnomaly = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      score[i] = m.calibrator.score(raw[i]);
      isAnomaly[i] = score[i] >= this.threshold ? 1 : 0;
    }
    return { score, isAnomaly, raw };
  }

  /**
   * Streaming: scores the observation at `t` (a number for a series model, one value per column for a frame
   * model) with the current forest, then learns from it. Bad points are dropped and counted, never thrown.
   *
   * @throws {VigilInputError} `NOT_FITTED` only.
   */
  update(t: number, x: number | ArrayLike<number>): PointScore {
    const m = this.#fittedModel();
    const arityOk =
      m.mode === 'series'
        ? typeof x === 'number'
        : typeof x === 'object' && x !== null && x.length === m.columns.length;
    if (!arityOk) {
      m.guard.counters.dropped++;
      return { t, score: 0, isAnomaly: false, status: 'dropped' };
    }
    const status = m.guard.admit(t, x);
    if (status !== 'ok') return { t, score: 0, isAnomaly: false, status };
    if (m.rolling) m.rolling.push(x as number, m.row, 0);
    else for (let j = 0; j < m.row.length; j++) m.row[j] = (x as ArrayLike<number>)[j];
    const raw = m.forest.scoreRow(m.row);
    const score = m.calibrator.score(raw);
    m.recent.push(m.row);
    m.sinceRefit++;
    return { t, score, isAnomaly: score >= this.threshold, status: 'scored', raw };
  }

  /**
   * True once `refitEvery` rows have streamed in since the forest was grown: `update` never regrows it (bounded work
   * per point), it asks. A `Pipeline` refits in its worker pool; standalone, call {@link refit}.
   */
  get needsRefit(): boolean {
    return this.#model !== undefined && this.#model.sinceRefit >= this.#options.refitEvery;
  }

  /**
   * Regrows the forest from the ring of recent rows and recalibrates on them (the detector's own seeded generator
   * continues, so a copy restored from a snapshot regrows identically). Call it when {@link needsRefit} says so.
   * @throws {VigilInputError} `NOT_FITTED`.
   */
  async refit(): Promise<void> {
    const m = this.#fittedModel();
    m.sinceRefit = 0;
    m.forest = grow(this.#options, m.row.length, m.recent.count, m.recent.read, m.rng);
    m.calibrator = calibrate(m.forest, m.recent.count, m.recent.read, m.recent.count, m.rng);
  }

  /** Versioned snapshot; `loadDetector(JSON.parse(JSON.stringify(d.toJSON())))` scores bit-identically. */
  toJSON(): IsolationForestSnapshot {
    const m = this.#model;
    const state: IsolationForestState | null = m
      ? {
          mode: m.mode,
          columns: [...m.columns],
          trainRows: m.trainRows,
          forest: m.forest.toJSON(),
          calibrator: m.calibrator.toJSON(),
          stream: {
            lastT: Number.isFinite(m.guard.lastTimestamp) ? m.guard.lastTimestamp : null,
            counters: { ...m.guard.counters },
            rolling: m.rolling ? m.rolling.toJSON() : null,
            recent: m.recent.toJSON(),
            sinceRefit: m.sinceRefit,
            rng: m.rng.state(),
          },
        }
      : null;
    return { kind: this.kind, version: ISOLATION_FOREST_VERSION, options: { ...this.#options }, state };
  }

  /**
   * Restores a detector from {@link IsolationForestDetector.toJSON} output (also reachable via `loadDetector`).
   *
   * @throws {VigilInputError} `INVALID_SNAPSHOT` for another kind or a malformed state, `SNAPSHOT_VERSION` for a
   *   newer version, `INVALID_OPTION` for bad options.
   */
  static fromJSON(snapshot: DetectorSnapshot): IsolationForestDetector {
    const s = snapshot as IsolationForestSnapshot;
    if (s === null || typeof s !== 'object' || s.kind !== 'isolation-forest') {
      throw new VigilInputError('INVALID_SNAPSHOT', 'Not an isolation-forest snapshot.', 'snapshot');
    }
    if (!Number.isInteger(s.version) || s.version < 1 || s.version > ISOLATION_FOREST_VERSION) {
      throw new VigilInputError(
        'SNAPSHOT_VERSION',
        `isolation-forest snapshot version ${s.version} is not readable by this code (reads 1 to ${ISOLATION_FOREST_VERSION}); upgrade @vigil/detectors.`,
        'version',
      );
    }
    const options = s.options ?? {};
    const d = new IsolationForestDetector({ ...options, threshold: options.threshold ?? undefined });
    const st = s.state;
    if (st === null || st === undefined) return d;
    const ok =
      typeof st === 'object' &&
      (st.mode === 'series' || st.mode === 'frame') &&
      Array.isArray(st.columns) &&
      st.stream !== null &&
      typeof st.stream === 'object' &&
      Array.isArray(st.stream.rng) &&
      typeof st.stream.sinceRefit === 'number' &&
      (st.mode === 'frame' || st.stream.rolling !== null);
    if (!ok) throw new VigilInputError('INVALID_SNAPSHOT', 'Malformed isolation-forest state.', 'state');
    const forest = FlatForest.fromJSON(st.forest);
    const guard = new StreamGuard('isolation-forest', st.stream.lastT ?? Number.NEGATIVE_INFINITY);
    Object.assign(guard.counters, st.stream.counters);
    d.#model = {
      mode: st.mode,
      columns: [...st.columns],
      trainRows: st.trainRows,
      forest,
      calibrator: TailCalibrator.fromJSON(st.calibrator),
      guard,
      rolling: st.mode === 'series' ? RollingFeatures.fromJSON(st.stream.rolling!) : undefined,
      recent: RecentRows.fromJSON(st.stream.recent),
      sinceRefit: st.stream.sinceRefit,
      rng: createRng(st.stream.rng),
      row: new Float64Array(forest.shape.nFeatures),
    };
    return d;
  }

  #fittedModel(): Model {
    if (!this.#model) {
      throw new VigilInputError(
        'NOT_FITTED',
        'The isolation forest is not fitted; call fit(train) first.',
        'detector',
      );
    }
    return this.#model;
  }
}

// Each forest gets its own generator seeded from the detector's, so the detector's state stays four integers.
function grow(
  o: ResolvedIsolationForestOptions,
  d: number,
  rows: number,
  readRow: RowReader,
  rng: Rng,
): FlatForest {
  const featuresPerTree = featuresPerTreeFor(o, d);
  return growForest(d, rows, readRow, {
    nTrees: o.nTrees,
    sampleSize: sampleSizeFor(o, rows),
    featuresPerTree,
    extensionLevel: extensionLevelFor(o, featuresPerTree),
    seed: rng.int(4294967296),
  });
}

// Indices of the rows without a missing feature, or undefined when every row is complete (the common case, which
// then needs no index array as long as the training set).
function completeRows(features: readonly Float64Array[], n: number): Int32Array | undefined {
  const keep = new Uint8Array(n).fill(1);
  let count = n;
  for (const col of features) {
    for (let i = 0; i < n; i++) {
      if (keep[i] && Number.isNaN(col[i])) {
        keep[i] = 0;
        count--;
      }
    }
  }
  if (count === n) return undefined;
  const out = new Int32Array(count);
  for (let i = 0, k = 0; i < n; i++) if (keep[i]) out[k++] = i;
  return out;
}

// Calibrates on the raw scores of at most `limit` training rows drawn at random: a 16k sample pins the body and the
// GPD tail down as well as the whole set would, and fit cost and memory stop growing with n.
function calibrate(
  forest: FlatForest,
  rows: number,
  readRow: RowReader,
  limit: number,
  rng: Rng,
): TailCalibrator {
  const d = forest.shape.nFeatures;
  const k = Math.min(rows, limit);
  const picked = k < rows ? sampleWithoutReplacement(rng, rows, k, new Set()) : undefined;
  const columns = Array.from({ length: d }, () => new Float64Array(k));
  const row = new Float64Array(d);
  let i = 0;
  for (const index of picked ?? Array.from({ length: rows }, (_, r) => r)) {
    readRow(index, row, 0);
    for (let j = 0; j < d; j++) columns[j][i] = row[j];
    i++;
  }
  const raw = new Float64Array(k);
  forest.scoreColumns(columns, raw);
  return TailCalibrator.fit(raw);
}

// Validates input and turns it into feature columns; with a fitted model, also checks it matches what was fitted.
function prepare(
  data: FrameLike | SeriesLike,
  windows: readonly number[],
  fitted: Model | undefined,
): Prepared {
  // Fitting merges points that share a timestamp (the last wins); scoring keeps them, one score per point.
  const duplicates = fitted ? 'keep' : 'last';
  if (isFrameLike(data)) {
    const frame = toFrame(data, { duplicates });
    if (fitted?.mode === 'series') {
      throw new VigilInputError(
        'COLUMN_MISMATCH',
        `The model was fitted on a univariate series but got a frame of ${frame.columns.length} columns; pass a series { timestamps, values }.`,
        'data',
      );
    }
    if (fitted) assertSameColumns(fitted.columns, frame);
    return {
      mode: 'frame',
      columns: [...frame.columns],
      features: frame.values,
      timestamps: frame.timestamps,
      rolling: undefined,
    };
  }
  const series = toSeries(data as SeriesLike, 'series', { duplicates });
  if (fitted?.mode === 'frame') {
    throw new VigilInputError(
      'COLUMN_MISMATCH',
      `The model was fitted on a frame of columns [${fitted.columns.join(', ')}] but got a univariate series; pass a frame with those columns.`,
      'data',
    );
  }
  const rolling = new RollingFeatures(windows);
  return {
    mode: 'series',
    columns: ['value'],
    features: rolling.columns(series.values),
    timestamps: series.timestamps,
    rolling,
  };
}
