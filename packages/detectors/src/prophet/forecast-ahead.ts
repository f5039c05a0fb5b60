import { VigilInputError } from '@vigil/core';
import type { ProphetForecast } from './predict.js';

/** Serialised {@link ForecastAhead} (NaN written as null). */
export interface ForecastAheadState {
  /** Last training timestamp, ms: entry j is the forecast at `start + (j + 1) · step`. */
  readonly start: number;
  readonly step: number;
  readonly yhat: Array<number | null>;
  readonly lower: Array<number | null>;
  readonly upper: Array<number | null>;
}

/** Fewest equal spacings at the end of the training data for it to count as regular. */
const REGULAR_TAIL = 8;

/**
 * The forecast at the next `horizon` regular steps after the training data, computed once when the model is fitted —
 * in a Pipeline's fit worker — by the same single-point forecast `update` would run, so a streamed point on that grid
 * costs a lookup instead of a simulation of the uncertainty band (`uncertaintySamples` trend paths per point), and
 * scores exactly as it would have. Points off the grid (irregular series, gaps past the horizon) are forecast as
 * before.
 *
 * @example
 * const ahead = ForecastAhead.compute(trainTimestamps, 288, (t) => model.predict([t]));
 * ahead?.at(nextT); // the forecast at nextT, or undefined off the grid
 */
export class ForecastAhead {
  readonly start: number;
  readonly step: number;
  /** yhat, lower, upper of each step, interleaved: entry j at 3j, 3j + 1, 3j + 2. */
  readonly #f: Float64Array;

  private constructor(start: number, step: number, f: Float64Array) {
    this.start = start;
    this.step = step;
    this.#f = f;
  }

  /**
   * Forecasts the `horizon` steps after `timestamps` when their last `REGULAR_TAIL` spacings are equal (else
   * undefined: no grid to forecast on).
   */
  static compute(
    timestamps: ArrayLike<number>,
    horizon: number,
    predictOne: (t: number) => ProphetForecast,
  ): ForecastAhead | undefined {
    const n = timestamps.length;
    if (horizon < 1 || n <= REGULAR_TAIL) return undefined;
    const start = timestamps[n - 1];
    const step = start - timestamps[n - 2];
    for (let i = n - REGULAR_TAIL; i < n; i++)
      if (timestamps[i] - timestamps[i - 1] !== step) return undefined;
    if (!(step > 0) || !Number.isFinite(start + horizon * step)) return undefined;
    const f = new Float64Array(3 * horizon);
    for (let j = 0; j < horizon; j++) {
      const p = predictOne(start + (j + 1) * step);
      f[3 * j] = p.yhat[0];
      f[3 * j + 1] = p.yhatLower[0];
      f[3 * j + 2] = p.yhatUpper[0];
    }
    return new ForecastAhead(start, step, f);
  }

  /**
   * Restores {@link toJSON} output, checking it first.
   * @throws {VigilInputError} `INVALID_SNAPSHOT` naming the field when it is malformed.
   */
  static fromJSON(s: ForecastAheadState, maxHorizon: number): ForecastAhead {
    const bad = (rule: string): never => {
      throw new VigilInputError(
        'INVALID_SNAPSHOT',
        `Prophet detector snapshot: state.ahead ${rule}; save the detector again with toJSON().`,
        'state.ahead',
      );
    };
    if (!s || typeof s !== 'object') bad('must be an object');
    if (!Number.isFinite(s.start) || !(Number.isFinite(s.step) && s.step > 0))
      bad('needs a finite start and a positive step');
    const h = Array.isArray(s.yhat) ? s.yhat.length : -1;
    if (h < 1 || h > maxHorizon || s.lower?.length !== h || s.upper?.length !== h)
      bad(`needs yhat, lower and upper of one length from 1 to ${maxHorizon}`);
    const f = new Float64Array(3 * h);
    const num = (v: unknown) =>
      v === null ? Number.NaN : typeof v === 'number' ? v : bad('holds a non-number');
    for (let j = 0; j < h; j++) {
      f[3 * j] = num(s.yhat[j]);
      f[3 * j + 1] = num(s.lower[j]);
      f[3 * j + 2] = num(s.upper[j]);
    }
    return new ForecastAhead(s.start, s.step, f);
  }

  /** Number of steps forecast. */
  get horizon(): number {
    return this.#f.length / 3;
  }

  /**
   * Index into the table of the forecast at `t` (ms), or −1 when `t` is not on the grid within the horizon. Read
   * the entry with {@link yhat}, {@link lower} and {@link upper}.
   */
  indexOf(t: number): number {
    const j = (t - this.start) / this.step - 1;
    return Number.isInteger(j) && j >= 0 && j < this.horizon ? j : -1;
  }

  yhat(j: number): number {
    return this.#f[3 * j];
  }

  lower(j: number): number {
    return this.#f[3 * j + 1];
  }

  upper(j: number): number {
    return this.#f[3 * j + 2];
  }

  toJSON(): ForecastAheadState {
    const h = this.horizon;
    const col = (k: number) =>
      Array.from({ length: h }, (_, j) => (Number.isNaN(this.#f[3 * j + k]) ? null : this.#f[3 * j + k]));
    return { start: this.start, step: this.step, yhat: col(0), lower: col(1), upper: col(2) };
  }
}
