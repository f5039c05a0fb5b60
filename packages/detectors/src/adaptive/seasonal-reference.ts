import { medianInPlace } from '../statistical/select.js';

/** The part of a {@link SeasonalReference} a snapshot stores. */
export interface SeasonalReferenceState {
  readonly timestamps: number[];
  readonly values: number[];
}

/**
 * What the series did at the same phase of its previous cycles: the median of the values observed nearest to
 * t − c·period (c = 1 … cycles, each within `tolerance` ms), the seasonal-naive forecast made robust to one odd
 * cycle. Looks values up by time, so gaps and irregular sampling are fine. Holds just enough history for `cycles`
 * periods, in a ring of typed arrays.
 *
 * @example
 * const day = 86_400_000;
 * const ref = new SeasonalReference(day, 3, 150_000, 4 * 288);
 * ref.push(t - day, 10); ref.push(t - 2 * day, 12);
 * ref.expected(t); // 11
 */
export class SeasonalReference {
  readonly period: number;
  readonly #cycles: number;
  readonly #tolerance: number;
  readonly #t: Float64Array;
  readonly #x: Float64Array;
  #head = 0;
  #count = 0;
  readonly #found: Float64Array;

  constructor(
    period: number,
    cycles: number,
    tolerance: number,
    capacity: number,
    state?: SeasonalReferenceState,
  ) {
    this.period = period;
    this.#cycles = cycles;
    this.#tolerance = tolerance;
    this.#t = new Float64Array(capacity);
    this.#x = new Float64Array(capacity);
    this.#found = new Float64Array(cycles);
    if (state)
      for (let i = 0; i < state.timestamps.length; i++) this.push(state.timestamps[i], state.values[i]);
  }

  /** The seasonal expectation at `t`, or NaN when no previous cycle has a value near the same phase. */
  expected(t: number): number {
    let k = 0;
    for (let c = 1; c <= this.#cycles; c++) {
      const i = this.#nearest(t - c * this.period);
      if (i >= 0) this.#found[k++] = this.#x[i];
    }
    return k === 0 ? Number.NaN : medianInPlace(this.#found, k);
  }

  /** Appends an observation (timestamps non-decreasing). */
  push(t: number, x: number): void {
    const cap = this.#t.length;
    const at = (this.#head + this.#count) % cap;
    this.#t[at] = t;
    this.#x[at] = x;
    if (this.#count < cap) this.#count++;
    else this.#head = (this.#head + 1) % cap;
  }

  toJSON(): SeasonalReferenceState {
    const timestamps: number[] = [];
    const values: number[] = [];
    for (let i = 0; i < this.#count; i++) {
      const j = (this.#head + i) % this.#t.length;
      timestamps.push(this.#t[j]);
      values.push(this.#x[j]);
    }
    return { timestamps, values };
  }

  /** Ring index of the observation nearest to `target` within the tolerance, or −1. */
  #nearest(target: number): number {
    const n = this.#count;
    if (n === 0) return -1;
    const cap = this.#t.length;
    const ts = this.#t;
    const head = this.#head;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (ts[(head + m) % cap] < target) lo = m + 1;
      else hi = m;
    }
    let best = lo;
    if (lo > 0 && Math.abs(ts[(head + lo - 1) % cap] - target) <= Math.abs(ts[(head + lo) % cap] - target)) {
      best = lo - 1;
    }
    const at = (head + best) % cap;
    return Math.abs(ts[at] - target) <= this.#tolerance ? at : -1;
  }
}
