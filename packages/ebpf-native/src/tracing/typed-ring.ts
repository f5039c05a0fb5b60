/** A fixed-capacity ring of (timestamp, value) points in typed arrays: the newest `capacity` are kept. */
import type { Series } from '../probes/aggregate-probe.js';

/** Points in time order, oldest overwritten first; no allocation per push. */
export class TypedRing {
  readonly #timestamps: Float64Array;
  readonly #values: Float64Array;
  #start = 0;
  #size = 0;

  constructor(capacity: number) {
    this.#timestamps = new Float64Array(capacity);
    this.#values = new Float64Array(capacity);
  }

  get size(): number {
    return this.#size;
  }

  push(t: number, v: number): void {
    const capacity = this.#timestamps.length;
    const at = (this.#start + this.#size) % capacity;
    this.#timestamps[at] = t;
    this.#values[at] = v;
    if (this.#size < capacity) this.#size++;
    else this.#start = (this.#start + 1) % capacity;
  }

  /** A copy, oldest first, as a Vigil series. */
  toSeries(): Series {
    const timestamps = new Float64Array(this.#size);
    const values = new Float64Array(this.#size);
    for (let i = 0; i < this.#size; i++) {
      const at = (this.#start + i) % this.#timestamps.length;
      timestamps[i] = this.#timestamps[at];
      values[i] = this.#values[at];
    }
    return { timestamps, values };
  }
}
