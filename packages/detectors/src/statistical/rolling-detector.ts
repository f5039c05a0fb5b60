import {
  checkNumberOption,
  type Detector,
  type DetectorSnapshot,
  type PointScore,
  type Scores,
  type SeriesLike,
  StreamGuard,
  TailCalibrator,
  type TailCalibratorOptions,
  type TailCalibratorState,
  toSeries,
  VigilInputError,
} from '@vigil/core';
import { collectScores } from '../common/collect-scores.js';
import { sharedOptions } from '../common/shared-options.js';
import { resolveThreshold } from '../common/threshold-option.js';

/** Options shared by the rolling-window baselines. */
export interface RollingOptions {
  /** Number of preceding observed points the baseline is computed from. Default 60. */
  window?: number;
  /** Fewest points in the window before a point is scored (earlier points score 0). Default min(window, 10). */
  minPeriods?: number;
  /** False-positive rate on normal data that sets the threshold (threshold = 1 − targetFpr). Default 1e-3. */
  targetFpr?: number;
  /** Explicit score threshold in (0, 1); overrides `targetFpr`. */
  threshold?: number;
  /** Options of the tail calibrator fitted on the training statistics. */
  calibration?: TailCalibratorOptions;
  /**
   * Which departures from the baseline count: `'both'` (default), `'up'` (only values above it — memory, disk, queue
   * length, where a drop such as a garbage collection is good news) or `'down'`. The statistic is one-sided and
   * calibrated one-sided, so training drops do not make later climbs look ordinary.
   */
  direction?: Direction;
}

/** Which departures a rolling baseline judges. */
export type Direction = 'both' | 'up' | 'down';

/** The resolved options as stored in snapshots. */
export interface ResolvedRollingOptions {
  readonly window: number;
  readonly minPeriods: number;
  readonly threshold: number;
  readonly calibration: TailCalibratorOptions;
  /** Absent in snapshots written before the option existed: `'both'`. */
  readonly direction?: Direction;
}

/** State of a fitted rolling detector in its snapshot. */
export interface RollingState {
  /** The window at the end of training (or of the last streamed point), oldest first. */
  readonly window: number[];
  readonly calibrator: TailCalibratorState;
  /** Last timestamp learnt, ms (null before any). */
  readonly lastTimestamp: number | null;
  /** Smallest scale of a window, learnt from the training data (see `trainingScaleFloor`; older snapshots: 1e-12). */
  readonly scaleFloor?: number;
}

/** Snapshot format version written by the rolling detectors. */
export const ROLLING_SNAPSHOT_VERSION = 1;

export function resolveRollingOptions(o: RollingOptions = {}): ResolvedRollingOptions {
  const window = checkNumberOption('options.window', o.window ?? 60, {
    min: 3,
    max: 1_000_000,
    integer: true,
  });
  const minPeriods = checkNumberOption('options.minPeriods', o.minPeriods ?? Math.min(window, 10), {
    min: 2,
    max: window,
    integer: true,
  });
  const threshold = resolveThreshold(o);
  const direction = o.direction ?? 'both';
  if (direction !== 'both' && direction !== 'up' && direction !== 'down') {
    throw new VigilInputError(
      'INVALID_OPTION',
      `options.direction must be 'both', 'up' or 'down'; got ${JSON.stringify(direction)}.`,
      { field: 'options.direction' },
    );
  }
  return { window, minPeriods, threshold, calibration: { ...(o.calibration ?? {}) }, direction };
}

/** The statistic of a departure of `z` scales from the baseline, as `direction` judges it (never negative). */
function departure(z: number, direction: Direction | undefined): number {
  if (direction === 'up') return Math.max(0, z);
  if (direction === 'down') return Math.max(0, -z);
  return Math.abs(z);
}

/** What a rolling baseline needs of its window: the values held, oldest first, and appending (evicting the oldest). */
export interface BaselineWindow {
  readonly size: number;
  push(x: number): void;
  toArray(): number[];
}

// Location and scale of the current window; one shared pair, read right after it is written (scoring is synchronous).
const LS = new Float64Array(2);

/**
 * Shared machinery of the rolling baselines: the statistic |x − location| / scale over the preceding window,
 * calibrated on training data; batch scoring continues from the training window without changing it, and streaming
 * scores each point before adding it to the window.
 */
export abstract class RollingDetector<W extends BaselineWindow = BaselineWindow>
  implements Detector<SeriesLike>
{
  abstract readonly kind: string;
  readonly options: ResolvedRollingOptions;
  #window: W;
  #calibrator: TailCalibrator | null = null;
  #guard: StreamGuard;
  #bandRaw = Number.POSITIVE_INFINITY;
  #floor = 1e-12;

  protected constructor(options: RollingOptions | ResolvedRollingOptions) {
    this.options = sharedOptions(resolveRollingOptions(options));
    this.#window = this.newWindow([]);
    this.#guard = new StreamGuard(this.constructor.name);
  }

  /** A window of `options.window` values holding the newest of `values` (see subclasses). */
  protected abstract newWindow(values: ArrayLike<number>): W;

  /**
   * Location and scale of the values in a window (non-empty), written into `out[0]` and `out[1]`. Must not allocate:
   * it runs once per point.
   */
  protected abstract locationScale(window: W, out: Float64Array): void;

  get threshold(): number {
    return this.options.threshold;
  }

  get fitted(): boolean {
    return this.#calibrator !== null;
  }

  /** Counts of scored, missing and dropped streamed points. */
  get counters() {
    return { ...this.#guard.counters };
  }

  /**
   * Learns the baseline window and calibrates the statistic on `train`.
   * @throws {VigilInputError} input errors from `toSeries`; `TOO_SHORT` with fewer than minPeriods + 20 observed points.
   */
  async fit(train: SeriesLike): Promise<void> {
    const s = toSeries(train, 'training series');
    const window = this.newWindow([]);
    const raws: number[] = [];
    const ls = LS;
    const previousFloor = this.#floor;
    this.#floor = trainingScaleFloor(s.values);
    for (let i = 0; i < s.values.length; i++) {
      const x = s.values[i];
      if (Number.isNaN(x)) continue;
      if (window.size >= this.options.minPeriods) raws.push(this.#raw(window, x, ls));
      window.push(x);
    }
    if (raws.length < 20) {
      this.#floor = previousFloor;
      throw new VigilInputError(
        'TOO_SHORT',
        `${this.kind} needs at least minPeriods + 20 = ${this.options.minPeriods + 20} observed training points; got ${raws.length + Math.min(window.size, this.options.minPeriods)}. Pass a longer series or lower options.minPeriods.`,
        'train',
      );
    }
    const calibrator = TailCalibrator.fit(raws, this.options.calibration);
    this.#install(window, calibrator, s.timestamps[s.timestamps.length - 1], this.#floor);
  }

  /**
   * Scores `data` as the continuation of the training data (or of the last streamed point); does not change the model.
   * Points that share a timestamp are scored one by one, as `update` would.
   * @throws {VigilInputError} input errors from `toSeries`, or `NOT_FITTED`.
   */
  async score(data: SeriesLike): Promise<Scores> {
    const calibrator = this.#requireFitted();
    const s = toSeries(data, 'series', { duplicates: 'keep' });
    const n = s.values.length;
    const window = this.newWindow(this.#window.toArray());
    return collectScores(n, (i) => this.#step(window, calibrator, s.timestamps[i], s.values[i]));
  }

  /**
   * Streaming: scores the point, then adds it to the window. Bad points are dropped and counted, never thrown.
   * @throws {VigilInputError} `NOT_FITTED` only.
   */
  update(t: number, x: number | ArrayLike<number>): PointScore {
    const calibrator = this.#requireFitted();
    const verdict = this.#guard.admit(t, x);
    if (verdict === 'dropped') return { t, score: 0, isAnomaly: false, status: 'dropped' };
    const value = typeof x === 'number' ? x : x[0];
    return this.#step(this.#window, calibrator, t, value);
  }

  toJSON(): DetectorSnapshot<ResolvedRollingOptions, RollingState> {
    const calibrator = this.#requireFitted();
    const lastT = this.#guard.lastTimestamp;
    return {
      kind: this.kind,
      version: ROLLING_SNAPSHOT_VERSION,
      options: { ...this.options, calibration: { ...this.options.calibration } },
      state: {
        window: this.#window.toArray(),
        calibrator: calibrator.toJSON(),
        lastTimestamp: Number.isFinite(lastT) ? lastT : null,
        scaleFloor: this.#floor,
      },
    };
  }

  /** Restores the fitted state from a snapshot (used by subclasses' `fromJSON`). */
  protected restore(snapshot: DetectorSnapshot<ResolvedRollingOptions, RollingState>): this {
    const st = snapshot.state;
    if (!st || !Array.isArray(st.window) || !st.calibrator) {
      throw new VigilInputError(
        'INVALID_SNAPSHOT',
        `Malformed ${this.kind} snapshot: state.window and state.calibrator are required.`,
        'state',
      );
    }
    const window = this.newWindow(st.window.map(Number));
    this.#install(
      window,
      TailCalibrator.fromJSON(st.calibrator),
      st.lastTimestamp ?? Number.NEGATIVE_INFINITY,
      typeof st.scaleFloor === 'number' && st.scaleFloor > 0 ? st.scaleFloor : 1e-12,
    );
    return this;
  }

  #install(window: W, calibrator: TailCalibrator, lastT: number, floor: number): void {
    this.#floor = floor;
    this.#window = window;
    this.#calibrator = calibrator;
    this.#guard = new StreamGuard(this.kind, lastT);
    this.#bandRaw = calibrator.rawForPValue(1 - this.options.threshold);
  }

  #requireFitted(): TailCalibrator {
    if (!this.#calibrator) {
      throw new VigilInputError(
        'NOT_FITTED',
        `${this.kind}: call fit(train) (or loadDetector) before scoring.`,
      );
    }
    return this.#calibrator;
  }

  #raw(window: W, x: number, ls: Float64Array): number {
    this.#locationScale(window, ls);
    return departure((x - ls[0]) / ls[1], this.options.direction);
  }

  // The subclass's location and scale, with the scale floored so that a flat window gives finite statistics.
  #locationScale(window: W, ls: Float64Array): void {
    this.locationScale(window, ls);
    ls[1] = Math.max(ls[1], scaleFloor(ls[0], this.#floor));
  }

  #step(window: W, calibrator: TailCalibrator, t: number, x: number): PointScore {
    if (window.size < this.options.minPeriods) {
      if (!Number.isNaN(x)) window.push(x);
      return { t, score: 0, isAnomaly: false, status: 'warmup' };
    }
    const ls = LS;
    this.#locationScale(window, ls);
    const location = ls[0];
    const scale = ls[1];
    // A one-sided baseline has no edge on the side it does not judge.
    const direction = this.options.direction;
    const lower = direction === 'up' ? Number.NEGATIVE_INFINITY : location - this.#bandRaw * scale;
    const upper = direction === 'down' ? Number.POSITIVE_INFINITY : location + this.#bandRaw * scale;
    if (Number.isNaN(x)) {
      return { t, score: 0, isAnomaly: false, status: 'missing', expected: location, lower, upper };
    }
    const raw = departure((x - location) / scale, direction);
    const score = calibrator.score(raw);
    window.push(x);
    return {
      t,
      score,
      isAnomaly: score >= this.options.threshold,
      status: 'scored',
      expected: location,
      lower,
      upper,
      raw,
    };
  }
}

/**
 * The smallest scale a window may have, learnt from the training values: the larger of 1e-3 of their standard
 * deviation and 1e-12 of their largest |value| (1e-12 when all are 0). A window flatter than the series' own
 * variability allows (a flat stretch of a square wave, the zeros of a sparse count) then gives a large but bounded
 * statistic when it ends — about 1000 for a one-σ departure — instead of an unbounded one that would swamp the
 * calibrator's tail; a constant training series (σ = 0) keeps only the numerical floor, far above the rounding of a
 * rolling mean (≈ 1e-15 relative), so that any real departure from it is extreme at every scale from 1e-9 to 1e12.
 *
 * @example
 * trainingScaleFloor([3, 3, 3]); // 3e-12
 */
export function trainingScaleFloor(values: ArrayLike<number>): number {
  let n = 0;
  let mean = 0;
  let m2 = 0;
  let magnitude = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (Number.isNaN(x)) continue;
    n++;
    const d = x - mean;
    mean += d / n;
    m2 += d * (x - mean);
    if (Math.abs(x) > magnitude) magnitude = Math.abs(x);
  }
  const sd = n > 1 ? Math.sqrt(m2 / (n - 1)) : 0;
  return Math.max(1e-3 * sd, 1e-12 * magnitude) || 1e-12;
}

/**
 * A window's scale floor: `floor` (from {@link trainingScaleFloor}), or 1e-12 of the window's |location| when that is
 * larger (a stream that has moved to a larger level).
 *
 * @example
 * scaleFloor(3, 3e-12); // 3e-12
 */
export function scaleFloor(location: number, floor: number): number {
  return Math.max(1e-12 * Math.abs(location), floor);
}
