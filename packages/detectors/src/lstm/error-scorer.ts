import { TailCalibrator, type TailCalibratorState, VigilInputError } from '@vigil/core';
import { bandHalfWidth } from './error-smoothing.js';

/** Serialised {@link ErrorScorer}. */
export interface ErrorScorerState {
  readonly alpha: number;
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
  readonly #point: TailCalibrator;
  readonly #smoothed: TailCalibrator | undefined;
  readonly #combined: TailCalibrator | undefined;

  private constructor(
    alpha: number,
    point: TailCalibrator,
    smoothed?: TailCalibrator,
    combined?: TailCalibrator,
  ) {
    this.#alpha = alpha;
    this.#point = point;
    this.#smoothed = smoothed;
    this.#combined = combined;
  }

  /**
   * Fits both calibrators on errors of normal data (NaN ignored); `alpha` is the smoothing factor (1: no smoothing).
   * @throws {VigilInputError} `TOO_SHORT` with fewer than 2 finite errors.
   */
  static fit(errors: ArrayLike<number>, smoothed: ArrayLike<number>, alpha: number): ErrorScorer {
    const point = TailCalibrator.fit(errors);
    if (alpha >= 1) return new ErrorScorer(alpha, point);
    const smooth = TailCalibrator.fit(smoothed);
    const minP = new Float64Array(errors.length);
    for (let i = 0; i < errors.length; i++) {
      minP[i] = Number.isNaN(errors[i])
        ? Number.NaN
        : minPRaw(point.pValue(errors[i]), smooth.pValue(smoothed[i]));
    }
    return new ErrorScorer(alpha, point, smooth, TailCalibrator.fit(minP));
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
    if (!state.smoothed || !state.combined) return new ErrorScorer(state.alpha, point);
    return new ErrorScorer(
      state.alpha,
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
    return Math.min(point, bandHalfWidth(this.#smoothed.rawForPValue(p), this.#alpha, previous));
  }

  /** The serialisable state. */
  toJSON(): ErrorScorerState {
    return {
      alpha: this.#alpha,
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
