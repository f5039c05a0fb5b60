/**
 * A fixed-capacity window of the most recent observed values (oldest evicted first). Statistics read it in
 * logical order, oldest to newest, so results do not depend on where the ring happens to start — a restored window
 * gives bit-identical statistics.
 */
export class RollingWindow {
  readonly capacity: number;
  readonly #buf: Float64Array;
  #head = 0;
  #count = 0;

  constructor(capacity: number, values: ArrayLike<number> = []) {
    this.capacity = capacity;
    this.#buf = new Float64Array(capacity);
    for (let i = Math.max(0, values.length - capacity); i < values.length; i++) this.push(values[i]);
  }

  /** Number of values held. */
  get size(): number {
    return this.#count;
  }

  /** The oldest value held (the next to be evicted); NaN when empty. */
  get oldest(): number {
    return this.#count > 0 ? this.#buf[this.#head] : Number.NaN;
  }

  /** Appends a value, evicting the oldest when full. */
  push(x: number): void {
    this.#buf[(this.#head + this.#count) % this.capacity] = x;
    if (this.#count < this.capacity) this.#count++;
    else this.#head = (this.#head + 1) % this.capacity;
  }

  /** Copies the values, oldest first, into `out` and returns how many were written. */
  copyTo(out: Float64Array): number {
    for (let i = 0; i < this.#count; i++) out[i] = this.#buf[(this.#head + i) % this.capacity];
    return this.#count;
  }

  /** The values, oldest first. */
  toArray(): number[] {
    const out = new Float64Array(this.#count);
    this.copyTo(out);
    return Array.from(out);
  }

  /** An independent copy. */
  clone(): RollingWindow {
    return new RollingWindow(this.capacity, this.toArray());
  }
}
