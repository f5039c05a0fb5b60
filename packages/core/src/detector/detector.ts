import type { VigilAbortError } from '../errors.js';
import type { FrameLike } from '../series/frame.js';
import type { SeriesLike } from '../series/series.js';
import type { FitOptions } from './fit-options.js';

/**
 * Batch scores, one entry per input point.
 *
 * `score` is calibrated to [0, 1] and comparable across detectors: it is `1 − p`, where `p` is the estimated
 * probability that a point of the training ("normal") behaviour is at least as extreme as this one. A typical
 * normal point scores around 0.5; `1 − score` is the false-positive rate you would accept by alerting at it.
 * Missing input values score 0 and are never anomalous.
 */
export interface Scores {
  /** Calibrated anomaly score in [0, 1]. */
  readonly score: Float64Array;
  /** 1 where `score >= threshold`, else 0. */
  readonly isAnomaly: Uint8Array;
  /** The model's expectation for each point, where the model has one. */
  readonly expected?: Float64Array;
  /** Lower edge of the band outside which a point is anomalous at the detector's threshold. */
  readonly lower?: Float64Array;
  /** Upper edge of that band. */
  readonly upper?: Float64Array;
  /** The uncalibrated statistic the score was computed from (model-specific units). */
  readonly raw?: Float64Array;
}

/**
 * What happened to one streamed point: `scored`; `missing` (value NaN: score 0, nothing learnt); `warmup` (not
 * enough history yet: score 0); `dropped` (timestamp not finite or not after the previous one: ignored, counted).
 */
export type PointStatus = 'scored' | 'missing' | 'warmup' | 'dropped';

/** The result of scoring one streamed point with {@link Detector.update}. */
export interface PointScore {
  readonly t: number;
  readonly score: number;
  readonly isAnomaly: boolean;
  readonly status: PointStatus;
  readonly expected?: number;
  readonly lower?: number;
  readonly upper?: number;
  readonly raw?: number;
}

/**
 * A versioned, JSON-serialisable model. Restore it with `loadDetector(snapshot)`.
 * NaN values inside `state` are written as `null`.
 */
export interface DetectorSnapshot<Options = unknown, State = unknown> {
  readonly kind: string;
  readonly version: number;
  readonly options: Options;
  readonly state: State;
}

/**
 * The one interface every Vigil detector speaks, univariate or multivariate, batch or streaming.
 *
 * @typeParam In - the input type: a series for univariate detectors, a frame (or series) for multivariate ones.
 */
export interface Detector<In = SeriesLike> {
  /** Registry key, e.g. `'zscore'`, `'isolation-forest'`. */
  readonly kind: string;
  /** Score at or above which a point is anomalous, in [0, 1]. */
  readonly threshold: number;
  /** True after a successful `fit` (or after restoring a fitted snapshot). */
  readonly fitted: boolean;
  /**
   * Learns normal behaviour from `train`. Detectors whose fit can take seconds (Prophet, LSTM, isolation forest,
   * ensembles) report through `options.onProgress` and stop at `options.signal`.
   * @throws {VigilInputError} for bad input; {@link VigilAbortError} `ABORTED` when the signal fired. Either way
   *   the detector keeps its previous state.
   */
  fit(train: In, options?: FitOptions): Promise<void>;
  /**
   * Scores `data` against the fitted model without changing it; output arrays have `data`'s length.
   * @throws {VigilInputError} for bad input, or `NOT_FITTED`.
   */
  score(data: In): Promise<Scores>;
  /**
   * Streaming: scores the point at `t`, then learns from it. Never throws on bad points: they are reported through
   * `status` and counted.
   * @throws {VigilInputError} `NOT_FITTED` only (a configuration error, not a data error).
   */
  update?(t: number, x: number | ArrayLike<number>): PointScore;
  /**
   * Streaming: true once the model is due for a refit on recent history (its own schedule, e.g. Prophet's
   * `refitEvery`). `update` never refits: the owner does it off the hot path — a `Pipeline` fits a fresh detector on
   * the series' history in its worker pool and swaps it in; a standalone caller calls `refit()` where the detector
   * has one, or `fit(recent)`. Absent or false: the detector never asks.
   */
  readonly needsRefit?: boolean;
  /** A versioned JSON-serialisable snapshot; `loadDetector(toJSON())` scores bit-identically. */
  toJSON(): DetectorSnapshot;
}

/** A detector over univariate series. */
export type SeriesDetector = Detector<SeriesLike>;

/** A detector over frames (multivariate); such detectors also accept a series. */
export type FrameDetector = Detector<FrameLike | SeriesLike>;
