import { checkNumberOption, VigilInputError } from '../errors.js';
import {
  fitGeneralizedPareto,
  type GeneralizedPareto,
  gpdInverseSurvival,
  gpdSurvival,
} from './generalized-pareto.js';
import { quantileSorted } from './quantile.js';

/** Options of {@link TailCalibrator.fit}. */
export interface TailCalibratorOptions {
  /** Probability level of the peaks-over-threshold cut u (SPOT's initial threshold t). Default 0.98. */
  tailLevel?: number;
  /** Fewest excesses over u for a GPD fit; with fewer an exponential tail, below 5 the empirical fallback. Default 20. */
  minExcesses?: number;
  /** Number of intervals of the stored quantile table of the body. Default 200. */
  tableSize?: number;
  /**
   * Allow a bounded tail (GPD shape ξ < 0). Default false: a bounded tail fitted on a finite sample declares every
   * value past its end point impossible (p = 0), which turns sampling noise into false alarms; restricting the fit to
   * ξ ≥ 0 (exponential or heavier) errs on the side of fewer alerts.
   */
  allowBoundedTail?: boolean;
  /**
   * Smallest difference of the raw statistic that is more than numerical noise, in raw units: statistics closer than
   * this to a training statistic count as equal to it, and the tail's scale is never below it. So training
   * statistics with no spread (a constant or noise-free series) give a well-defined calibration: p = 1 up to one
   * resolution above them, then a decay in which a departure of a few resolutions is extreme. Vigil's raw statistics
   * are dimensionless (standard scores, band widths, path-length scores, evidence), hence a unit-free default.
   * Default 1e-6 · max(1, |smallest|, |largest| training statistic).
   */
  resolution?: number;
}

/** How the tail beyond u is modelled. */
export type TailMethod = 'gpd' | 'exponential' | 'empirical';

/** Serialised state of a {@link TailCalibrator}. */
export interface TailCalibratorState {
  readonly method: TailMethod;
  /** Number of finite raw statistics the calibrator was fitted on. */
  readonly n: number;
  /** Quantiles of the raw statistic at probabilities k / (table.length − 1). */
  readonly table: number[];
  /** The peaks-over-threshold cut u. */
  readonly u: number;
  /** P(raw > u) under the fitted body. */
  readonly tailProb: number;
  readonly shape: number;
  /**
   * Scale of the tail: the GPD's or the exponential's; for `'empirical'`, the scale of the exponential decay past the
   * largest training statistic (0 in snapshots written before that decay existed: a flat floor).
   */
  readonly scale: number;
  /** The `resolution` option as resolved at fit (absent in older snapshots: 0). */
  readonly resolution?: number;
}

/**
 * Turns a detector's raw statistic (larger = more anomalous) into a calibrated score in [0, 1].
 *
 * The score of a raw value x is `1 − p(x)`, with p(x) the estimated probability that training ("normal") data
 * produces a statistic ≥ x. The body of the distribution is the empirical CDF (a quantile table); beyond the
 * cut u (the `tailLevel` quantile) the tail is a generalized Pareto distribution fitted to the excesses by maximum
 * likelihood — the peaks-over-threshold model of SPOT (Siffer et al., KDD 2017, eq. 1 and §3) — so probabilities far
 * below 1/n can be estimated. By default the shape is restricted to ξ ≥ 0 (see `allowBoundedTail`). With few
 * excesses the tail falls back to an exponential (GPD with ξ = 0), and with very few to the empirical distribution,
 * floored at 1/(n + 1) up to the largest training statistic and decaying exponentially past it (scale: the mean
 * excess over u). Statistics within `resolution` of each other are not told apart and no tail scale is below it: a
 * calibrator fitted on statistics that are all equal (a constant training series) gives p = 1 up to one resolution
 * above that value and p → 0 for any clear departure past it.
 *
 * Ties count in full: p(x) = P(raw ≥ x), so a statistic equal to what training produced most of the time (for
 * example 0 on a sparse series) scores 0, not 1.
 *
 * A threshold for a target false-positive rate α is simply `1 − α`: `score >= 1 − α ⇔ p(x) <= α`.
 *
 * @example
 * const cal = TailCalibrator.fit(trainingZScores);
 * cal.score(4.2);            // e.g. 0.99997
 * cal.rawForPValue(1e-3);    // the raw statistic at which the score reaches 0.999
 */
export class TailCalibrator {
  // The state as fields rather than one object, and the table as a Float64Array: a fitted detector holds one
  // calibrator per series, so its size and the cache lines a score touches matter.
  readonly #method: TailMethod;
  readonly #n: number;
  readonly #table: Float64Array;
  readonly #u: number;
  readonly #tailProb: number;
  readonly #scale: number;
  readonly #resolution: number;
  /** Shape of the tail's GPD (its scale is `#scale`); kept as a number, not an object, per calibrator. */
  readonly #shape: number;
  /** `resolution` was absent from the snapshot restored (written before it existed): kept absent in toJSON. */
  readonly #legacyResolution: boolean;

  private constructor(state: Omit<TailCalibratorState, 'table'>, table: Float64Array) {
    this.#method = state.method;
    this.#n = state.n;
    this.#table = table;
    this.#u = state.u;
    this.#tailProb = state.tailProb;
    this.#scale = state.scale;
    this.#resolution = state.resolution ?? 0;
    this.#legacyResolution = state.resolution === undefined;
    this.#shape = state.shape;
  }

  /**
   * Fits the calibrator on raw statistics of normal data; NaN entries are ignored.
   *
   * @throws {VigilInputError} `TOO_SHORT` with fewer than 2 finite values; `INVALID_OPTION` for bad options.
   */
  static fit(raw: ArrayLike<number>, options: TailCalibratorOptions = {}): TailCalibrator {
    const tailLevel = checkNumberOption('tailLevel', options.tailLevel ?? 0.98, {
      min: 0.5,
      max: 1,
      exclusiveMax: true,
    });
    const minExcesses = checkNumberOption('minExcesses', options.minExcesses ?? 20, {
      min: 5,
      integer: true,
    });
    const tableSize = checkNumberOption('tableSize', options.tableSize ?? 200, {
      min: 4,
      max: 100_000,
      integer: true,
    });
    const finite: number[] = [];
    for (let i = 0; i < raw.length; i++) if (Number.isFinite(raw[i])) finite.push(raw[i]);
    const n = finite.length;
    if (n < 2) {
      throw new VigilInputError(
        'TOO_SHORT',
        `Calibration needs at least 2 finite raw scores from training data; got ${n}. Fit on a longer series.`,
        'train',
      );
    }
    const sorted = Float64Array.from(finite).sort();
    const resolution =
      options.resolution !== undefined
        ? checkNumberOption('resolution', options.resolution, { min: 0, exclusiveMin: true })
        : 1e-6 * Math.max(1, Math.abs(sorted[0]), Math.abs(sorted[n - 1]));
    const table = new Float64Array(tableSize + 1);
    for (let k = 0; k <= tableSize; k++) table[k] = quantileSorted(sorted, k / tableSize);
    // Lower the cut on short inputs so that the tail still has minExcesses points, but never below the 3rd quartile.
    const level = Math.max(0.75, Math.min(tailLevel, 1 - minExcesses / n));
    const u = quantileSorted(sorted, level);
    const tailProb = 1 - ecdf(table, u);
    const excesses: number[] = [];
    for (let i = 0; i < n; i++) if (sorted[i] > u) excesses.push(sorted[i] - u);
    let method: TailMethod = 'empirical';
    let shape = 0;
    let scale = 0;
    if (excesses.length >= minExcesses && tailProb > 0) {
      const g = fitGeneralizedPareto(excesses, options.allowBoundedTail ? Number.NEGATIVE_INFINITY : 0);
      method = 'gpd';
      shape = g.shape;
      scale = Math.max(g.scale, resolution);
    } else {
      // The exponential MLE of the excesses; past the largest value, the empirical method decays with it too.
      const meanExcess = excesses.length > 0 ? excesses.reduce((a, b) => a + b, 0) / excesses.length : 0;
      if (excesses.length >= 5 && tailProb > 0) method = 'exponential';
      scale = Math.max(meanExcess, resolution);
    }
    return new TailCalibrator({ method, n, u, tailProb, shape, scale, resolution }, table);
  }

  /**
   * Restores a calibrator from {@link TailCalibrator.toJSON} output, checking every field's type and range first.
   * @throws {VigilInputError} `INVALID_SNAPSHOT` naming the field (e.g. `state.calibrator.scale`) when the state is
   *   malformed: an unknown method, a table that is not finite non-decreasing quantiles, a probability outside
   *   [0, 1], or a negative or non-finite tail scale.
   */
  static fromJSON(state: TailCalibratorState): TailCalibrator {
    const bad = (field: string, rule: string): never => {
      throw new VigilInputError(
        'INVALID_SNAPSHOT',
        `Malformed calibrator state in snapshot: ${field} ${rule}. Restore only what toJSON() wrote.`,
        `state.calibrator${field ? `.${field}` : ''}`,
      );
    };
    const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
    if (!state || typeof state !== 'object') bad('', 'must be an object');
    if (!['gpd', 'exponential', 'empirical'].includes(state.method))
      bad('method', "must be 'gpd', 'exponential' or 'empirical'");
    if (!(Number.isInteger(state.n) && state.n >= 2)) bad('n', 'must be an integer >= 2');
    // fit() writes at most 100 001 entries; the check comes before the copy.
    if (!Array.isArray(state.table) || state.table.length < 2 || state.table.length > 100_001)
      bad('table', 'must be an array of 2 to 100001 numbers');
    for (let i = 0; i < state.table.length; i++) {
      if (!finite(state.table[i]) || (i > 0 && state.table[i] < state.table[i - 1]))
        bad('table', `must hold finite non-decreasing quantiles (entry ${i} is ${String(state.table[i])})`);
    }
    if (!finite(state.u)) bad('u', 'must be a finite number');
    if (!(finite(state.tailProb) && state.tailProb >= 0 && state.tailProb <= 1))
      bad('tailProb', 'must be a probability in [0, 1]');
    if (!finite(state.shape)) bad('shape', 'must be a finite number');
    // A tail scale is a positive length (0 only for the flat floor of old empirical snapshots); a negative or
    // infinite one would turn every score into NaN or 1.
    if (!(finite(state.scale) && (state.method === 'empirical' ? state.scale >= 0 : state.scale > 0)))
      bad(
        'scale',
        `must be a finite number ${state.method === 'empirical' ? '>= 0' : '> 0'}; got ${String(state.scale)}`,
      );
    if (state.resolution !== undefined && !(finite(state.resolution) && state.resolution >= 0))
      bad('resolution', 'must be a finite number >= 0');
    return new TailCalibrator(state, Float64Array.from(state.table));
  }

  /** Which tail model was fitted. */
  get method(): TailMethod {
    return this.#method;
  }

  /** Estimated probability that normal data gives a raw statistic ≥ x; 1 for NaN (no evidence). */
  pValue(x: number): number {
    if (Number.isNaN(x)) return 1;
    const table = this.#table;
    const tailProb = this.#tailProb;
    // Within one resolution of a training statistic counts as equal to it.
    const y = x - this.#resolution;
    const floored = this.#method === 'empirical' || tailProb <= 0;
    if (y <= this.#u || floored) {
      const p = 1 - ecdfBelow(table, y);
      if (!floored) return p;
      const max = table[table.length - 1];
      // Past the largest training statistic an exponential decay from the 1/(n + 1) floor (none in old snapshots).
      if (y > max && this.#scale > 0) return Math.exp(-(y - max) / this.#scale) / (this.#n + 1);
      return Math.max(p, 1 / (this.#n + 1));
    }
    return tailProb * gpdSurvival(y - this.#u, this.#gpd());
  }

  /** Calibrated score in [0, 1]: `1 − pValue(x)`; 0 for NaN. */
  score(x: number): number {
    if (Number.isNaN(x)) return 0;
    return 1 - this.pValue(x);
  }

  /**
   * The raw statistic at which the p-value falls to `p` (the inverse of {@link pValue}); use it to draw bands.
   * Returns +Infinity when the model cannot reach `p` (empirical tail floor, or p = 0).
   */
  rawForPValue(p: number): number {
    const u = this.#u;
    const tailProb = this.#tailProb;
    const method = this.#method;
    const table = this.#table;
    const n = this.#n;
    const r = this.#resolution;
    if (p >= 1) return table[0] + r;
    if (p >= tailProb && tailProb > 0) return inverseEcdf(table, 1 - p) + r;
    if (method === 'empirical' || tailProb <= 0) {
      if (p >= 1 / (n + 1)) return inverseEcdf(table, 1 - p) + r;
      const scale = this.#scale;
      if (p <= 0 || !(scale > 0)) return Number.POSITIVE_INFINITY;
      return table[table.length - 1] + r + scale * Math.log(1 / ((n + 1) * p));
    }
    if (p <= 0) return Number.POSITIVE_INFINITY;
    return u + r + gpdInverseSurvival(p / tailProb, this.#gpd());
  }

  // The tail model as the GPD functions take it (a short-lived object, made only for points in the tail).
  #gpd(): GeneralizedPareto {
    return { shape: this.#shape, scale: this.#scale, logLikelihood: 0 };
  }

  /** The serialisable state. */
  toJSON(): TailCalibratorState {
    const state: TailCalibratorState = {
      method: this.#method,
      n: this.#n,
      table: Array.from(this.#table),
      u: this.#u,
      tailProb: this.#tailProb,
      shape: this.#shape,
      scale: this.#scale,
    };
    return this.#legacyResolution ? state : { ...state, resolution: this.#resolution };
  }
}

// Piecewise-linear CDF through the quantile table; ties resolve to the highest probability that has the value.
function ecdf(table: Float64Array, x: number): number {
  const k = table.length - 1;
  if (x < table[0]) return 0;
  if (x >= table[k]) return 1;
  let lo = 0;
  let hi = k;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (table[mid] <= x) lo = mid;
    else hi = mid;
  }
  return (lo + (x - table[lo]) / (table[lo + 1] - table[lo])) / k;
}

// The same CDF just below x (the share of training statistics < x): where the table has a run of equal values,
// the lowest probability that has the value, so that P(raw ≥ x) counts the ties.
function ecdfBelow(table: Float64Array, x: number): number {
  const k = table.length - 1;
  if (x <= table[0]) return 0;
  if (x > table[k]) return 1;
  let lo = 0;
  let hi = k;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (table[mid] < x) lo = mid;
    else hi = mid;
  }
  return (lo + (x - table[lo]) / (table[hi] - table[lo])) / k;
}

function inverseEcdf(table: Float64Array, f: number): number {
  const k = table.length - 1;
  const h = Math.min(Math.max(f, 0), 1) * k;
  const lo = Math.min(Math.floor(h), k - 1);
  return table[lo] + (h - lo) * (table[lo + 1] - table[lo]);
}

/**
 * The score threshold for a target false-positive rate α on normal data: `1 − α`.
 *
 * @throws {VigilInputError} `INVALID_OPTION` unless 0 < α < 1.
 * @example
 * thresholdForFalsePositiveRate(1e-3); // 0.999
 */
export function thresholdForFalsePositiveRate(alpha: number): number {
  checkNumberOption('targetFpr', alpha, { min: 0, max: 1, exclusiveMin: true, exclusiveMax: true });
  return 1 - alpha;
}
