import { VigilInputError } from '@vigil/core';

/** Serialised {@link RollingFeatures}: the windows, the last observed values (oldest first) and the last value. */
export interface RollingFeaturesState {
  readonly windows: number[];
  readonly history: number[];
}

/**
 * Turns a univariate stream into feature rows an isolation forest can split on: the value, its first difference
 * (from the last observed value), and for each window w its deviation from the mean of the previous w observed
 * values in units of their sample standard deviation (a rolling z-score that excludes the point itself, so a spike
 * does not hide in its own window). Missing values (NaN) give a NaN row and do not enter the history. Features that
 * lack history (no previous value, or fewer than 2 values in a window) are 0.
 *
 * @example
 * const f = new RollingFeatures([12, 60]);
 * const row = new Float64Array(f.width);
 * f.push(0.42, row, 0); // row = [0.42, 0, 0, 0]
 */
export class RollingFeatures {
  /** Window lengths, in points. */
  readonly windows: readonly number[];
  // Ring buffer of the last max(windows) observed values (at least 1, for the first difference).
  readonly #ring: Float64Array;
  #count = 0;
  #next = 0;

  constructor(windows: readonly number[]) {
    this.windows = [...windows];
    this.#ring = new Float64Array(Math.max(1, ...windows));
  }

  /** Names of the feature columns: `value`, `diff`, then `z<w>` per window. */
  static columnNames(windows: readonly number[]): string[] {
    return ['value', 'diff', ...windows.map((w) => `z${w}`)];
  }

  /** Number of features per row: 2 + windows.length. */
  get width(): number {
    return 2 + this.windows.length;
  }

  /** Writes the features of `v` into `out[offset …]`, then remembers `v` (unless it is NaN). */
  push(v: number, out: Float64Array, offset: number): void {
    const width = this.width;
    if (Number.isNaN(v)) {
      out.fill(Number.NaN, offset, offset + width);
      return;
    }
    const ring = this.#ring;
    const cap = ring.length;
    out[offset] = v;
    out[offset + 1] = this.#count > 0 ? v - ring[(this.#next + cap - 1) % cap] : 0;
    for (let k = 0; k < this.windows.length; k++) {
      const n = Math.min(this.windows[k], this.#count);
      let z = 0;
      if (n >= 2) {
        let sum = 0;
        for (let i = 1; i <= n; i++) sum += ring[(this.#next + cap - i) % cap];
        const mean = sum / n;
        let ss = 0;
        for (let i = 1; i <= n; i++) {
          const dev = ring[(this.#next + cap - i) % cap] - mean;
          ss += dev * dev;
        }
        // A flat window has no spread; a floor relative to the values (not an absolute one, which would make tiny
        // series look flat) keeps a departure from it finite and very large.
        const sd = Math.max(Math.sqrt(ss / (n - 1)), 1e-9 * Math.max(Math.abs(mean), Math.abs(v)));
        z = v === mean ? 0 : (v - mean) / sd;
      }
      out[offset + 2 + k] = z;
    }
    ring[this.#next] = v;
    this.#next = (this.#next + 1) % cap;
    if (this.#count < cap) this.#count++;
  }

  /** Feature columns (one `Float64Array` per feature) for a whole series of values, continuing this history. */
  columns(values: ArrayLike<number>): Float64Array[] {
    const n = values.length;
    const width = this.width;
    const cols = Array.from({ length: width }, () => new Float64Array(n));
    const row = new Float64Array(width);
    for (let i = 0; i < n; i++) {
      this.push(values[i], row, 0);
      for (let j = 0; j < width; j++) cols[j][i] = row[j];
    }
    return cols;
  }

  /** The serialisable state. */
  toJSON(): RollingFeaturesState {
    const cap = this.#ring.length;
    const history: number[] = [];
    for (let i = this.#count; i >= 1; i--) history.push(this.#ring[(this.#next + cap - i) % cap]);
    return { windows: [...this.windows], history };
  }

  /**
   * Restores the state written by {@link RollingFeatures.toJSON}.
   * @throws {VigilInputError} `INVALID_SNAPSHOT` when it is malformed.
   */
  static fromJSON(state: RollingFeaturesState): RollingFeatures {
    const ok =
      state !== null &&
      typeof state === 'object' &&
      Array.isArray(state.windows) &&
      state.windows.every((w) => Number.isInteger(w) && w >= 2) &&
      Array.isArray(state.history) &&
      state.history.every((v) => typeof v === 'number');
    if (!ok)
      throw new VigilInputError(
        'INVALID_SNAPSHOT',
        'Malformed rolling-feature state.',
        'state.stream.rolling',
      );
    const f = new RollingFeatures(state.windows);
    const row = new Float64Array(f.width);
    for (const v of state.history.slice(-f.#ring.length)) f.push(v, row, 0);
    return f;
  }
}
