import { TailCalibrator, type TailCalibratorState, VigilInputError } from '@vigil/core';
import { bandHalfWidth, smoothErrors } from './error-smoothing.js';

/** Serialised {@link ErrorScorer}. */
export interface ErrorScorerState {
  readonly alpha: number;
  /** Errors enter the smoothed average clipped at this value (null: no clipping). */
  readonly clipAt: number | null;
  readonly point: TailCalibratorState;
  /** Null when errors are not smoothed (`errorSmoothing` 1). */
  readonly smoothed: TailCalibratorState | null;
  /** Calibrates `−log10 min(p_point, p_smoothed)`; null when errors are not smoothed. */
  readonly combined: TailCalibratorState | null;
}

/**
 * Scores a prediction error twice — alone, which catches spikes at once, and through its exponentially smoothed
 * average (Telemanom's smoothing, Hundman et al. 2018 §3.2), which catches slow drifts that no single error reveals.
 * Each gives a p-value from a {@link TailCalibrator} fitted on the training errors; the two are combined by their
 * minimum (Tippett's method), itself calibrated on the training errors: the two p-values are strongly correlated, so a
 * Bonferroni bound would be needlessly conservative, while the calibrated minimum keeps scores uniform on normal data.
 */
export class ErrorScorer {
  readonly #alpha: number;
  readonly #clipAt: number;
  readonly #point: TailCalibrator;
  readonly #smoothed: TailCalibrator | undefined;
  readonly #combined: TailCalibrator | undefined;

  private constructor(
    alpha: number,
    clipAt: number,
    point: TailCalibrator,
    smoothed?: TailCalibrator,
    combined?: TailCalibrator,
  ) {
    this.#alpha = alpha;
    this.#clipAt = clipAt;
    this.#point = point;
    this.#smoothed = smoothed;
    this.#combined = combined;
  }

  /**
   * Fits both calibrators on the errors of normal data from index `from` on (NaN ignored); `alpha` is the smoothing
   * factor (1: no smoothing). Errors enter the average clipped at the point test's limit for `threshold`, so a spike
   * that the point test flags anyway does not keep the average, and so the flags, high for the points after it.
   * Returns the scorer and the smoothed training errors.
   *
   * @throws {VigilInputError} `TOO_SHORT` with fewer than 2 finite errors.
   */
  static fit(
    errors: Float64Array,
    alpha: number,
    threshold: number,
    from = 0,
  ): { scorer: ErrorScorer; smoothed: Float64Array; last: number } {
    const point = TailCalibrator.fit(errors.subarray(from));
    const clipAt = point.rawForPValue(1 - threshold);
    const unsmoothed = new ErrorScorer(alpha, clipAt, point);
    if (alpha >= 1) return { scorer: unsmoothed, ...unsmoothed.smooth(errors) };
    const { smoothed, last } = unsmoothed.smooth(errors);
    const smooth = TailCalibrator.fit(smoothed.subarray(from));
    const minP = new Float64Array(errors.length - from);
    for (let i = from; i < errors.length; i++) {
      minP[i - from] = Number.isNaN(errors[i])
        ? Number.NaN
        : minPRaw(point.pValue(errors[i]), smooth.pValue(smoothed[i]));
    }
    return {
      scorer: new ErrorScorer(alpha, clipAt, point, smooth, TailCalibrator.fit(minP)),
      smoothed,
      last,
    };
  }

  /** Smooths errors as the scorer expects them: clipped, then averaged from `start` (NaN: from the first error). */
  smooth(errors: ArrayLike<number>, start = Number.NaN): { smoothed: Float64Array; last: number } {
    const clipped = Float64Array.from(errors, (e) => this.clip(e));
    return smoothErrors(clipped, this.#alpha, start);
  }

  /** One error clipped at the point test's limit (NaN stays NaN). */
  clip(error: number): number {
    return Math.min(error, this.#clipAt);
  }

  /**
   * Restores {@link ErrorScorer.toJSON} output.
   * @throws {VigilInputError} `INVALID_SNAPSHOT` when malformed.
   */
  static fromJSON(state: ErrorScorerState): ErrorScorer {
    if (!state || typeof state.alpha !== 'number' || !(state.alpha > 0 && state.alpha <= 1)) {
      throw new VigilInputError(
        'INVALID_SNAPSHOT',
        'state.calibrator.alpha must be in (0, 1].',
        'state.calibrator',
      );
    }
    const point = TailCalibrator.fromJSON(state.point);
    // JSON has no Infinity: an unreachable clip limit is written as null.
    const clipAt = typeof state.clipAt === 'number' ? state.clipAt : Number.POSITIVE_INFINITY;
    if (!state.smoothed || !state.combined) return new ErrorScorer(state.alpha, clipAt, point);
    return new ErrorScorer(
      state.alpha,
      clipAt,
      point,
      TailCalibrator.fromJSON(state.smoothed),
      TailCalibrator.fromJSON(state.combined),
    );
  }

  /** Estimated probability that normal data has a point error ≥ `error` or a smoothed error ≥ `smoothed`. */
  pValue(error: number, smoothed: number): number {
    const p = this.#point.pValue(error);
    if (!this.#smoothed || !this.#combined) return p;
    return this.#combined.pValue(minPRaw(p, this.#smoothed.pValue(smoothed)));
  }

  /** Calibrated score `1 − pValue`; 0 for a missing (NaN) error. */
  score(error: number, smoothed: number): number {
    return Number.isNaN(error) ? 0 : 1 - this.pValue(error, smoothed);
  }

  /**
   * The absolute error, in scaled units, at which the next point reaches `threshold`, given the smoothed error
   * `previous` before it (NaN: none yet): the smaller of the two detectors' limits.
   */
  halfWidth(threshold: number, previous: number): number {
    if (!this.#smoothed || !this.#combined) return this.#point.rawForPValue(1 - threshold);
    // Invert the chain: combined threshold → the minimum p-value it needs → each error's limit at that p-value.
    const p = 10 ** -this.#combined.rawForPValue(1 - threshold);
    const point = this.#point.rawForPValue(p);
    // Errors enter the average clipped, so the smoothed test is out of reach of one point beyond the clip.
    const viaSmoothed = bandHalfWidth(this.#smoothed.rawForPValue(p), this.#alpha, previous);
    return Math.min(point, viaSmoothed <= this.#clipAt ? viaSmoothed : Number.POSITIVE_INFINITY);
  }

  /** The serialisable state. */
  toJSON(): ErrorScorerState {
    return {
      alpha: this.#alpha,
      clipAt: Number.isFinite(this.#clipAt) ? this.#clipAt : null,
      point: this.#point.toJSON(),
      smoothed: this.#smoothed?.toJSON() ?? null,
      combined: this.#combined?.toJSON() ?? null,
    };
  }
}

// −log10 of the smaller p-value: larger = more anomalous, as TailCalibrator expects, and spread over decades.
function minPRaw(a: number, b: number): number {
  return -Math.log10(Math.max(Math.min(a, b), Number.MIN_VALUE));
}
