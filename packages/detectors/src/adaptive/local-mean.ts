import { RollingWindow } from '../statistical/rolling-window.js';

/**
 * The mean of the last `k` values including the current one: the view in which a sustained shift of level (or a
 * burst of spikes) stands out before any single point does. Summed afresh from the window each time, so there is no
 * drift from running sums and a restored window gives bit-identical means.
 *
 * @example
 * const m = new LocalMean(3);
 * m.push(1); m.push(2);
 * m.with(6); // (1 + 2 + 6) / 3 = 3
 */
export class LocalMean {
  readonly #window: RollingWindow;
  readonly #scratch: Float64Array;

  constructor(k: number, values: ArrayLike<number> = []) {
    this.#window = new RollingWindow(Math.max(1, k - 1), values);
    this.#scratch = new Float64Array(this.#window.capacity);
  }

  /** True once k − 1 earlier values are held, so that {@link with} averages a full window. */
  get ready(): boolean {
    return this.#window.size === this.#window.capacity;
  }

  /** The mean of the held values and `x`. */
  with(x: number): number {
    const n = this.#window.copyTo(this.#scratch);
    let sum = x;
    for (let i = 0; i < n; i++) sum += this.#scratch[i];
    return sum / (n + 1);
  }

  /** Appends an observed value. */
  push(x: number): void {
    this.#window.push(x);
  }

  /** The held values, oldest first. */
  toArray(): number[] {
    return this.#window.toArray();
  }
}
