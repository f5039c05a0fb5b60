/** Values a window holds room for at first; a larger one grows by doubling as it fills. */
const INITIAL_ROOM = 256;

/**
 * A fixed-capacity window of the most recent observed values (oldest evicted first). Statistics read it in
 * logical order, oldest to newest, so results do not depend on where the ring happens to start — a restored window
 * gives bit-identical statistics. Its buffer grows as it fills (doubling, up to `capacity`), so a long window that
 * has seen little costs little.
 */
export class RollingWindow {
  readonly capacity: number;
  #buf: Float64Array;
  #head = 0;
  #count = 0;

  constructor(capacity: number, values: ArrayLike<number> = []) {
    this.capacity = capacity;
    this.#buf = new Float64Array(Math.min(capacity, Math.max(INITIAL_ROOM, values.length)));
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
    if (this.#count === this.#buf.length && this.#count < this.capacity) {
      // Not yet full, so the ring has not wrapped (head is 0): the values keep their places.
      const grown = new Float64Array(Math.min(this.capacity, 2 * this.#buf.length));
      grown.set(this.#buf);
      this.#buf = grown;
    }
    const room = this.#buf.length;
    this.#buf[(this.#head + this.#count) % room] = x;
    if (this.#count < room) this.#count++;
    else this.#head = (this.#head + 1) % room;
  }

  /** Copies the values, oldest first, into `out` and returns how many were written. */
  copyTo(out: Float64Array): number {
    const room = this.#buf.length;
    for (let i = 0; i < this.#count; i++) out[i] = this.#buf[(this.#head + i) % room];
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
