/**
 * The recent history of one series as a ring of typed arrays: pushing is O(1) and allocation-free once grown, the
 * oldest point is overwritten when full, and memory follows the points actually held (the arrays start small and
 * double up to `capacity`), so a million short-lived series do not each reserve a full history. Timestamps and values
 * are interleaved in one Float64Array: a push writes one cache line, and a series pays for one typed array's
 * wrapper objects (about 190 bytes each in V8) instead of two.
 *
 * @example
 * const ring = new SeriesRing(4);
 * for (let i = 0; i < 6; i++) ring.push(i * 1000, i);
 * ring.ordered().values; // Float64Array [2, 3, 4, 5]
 */
export class SeriesRing {
  /** Most points held. */
  readonly capacity: number;
  /** `[t0, v0, t1, v1, …]`: slot i holds its timestamp at 2i and its value at 2i + 1. */
  #tv: Float64Array;
  /** Slot of the next write. */
  #next = 0;
  #size = 0;
  /** Points ever pushed (marks survive wrap-around: see {@link since}). */
  #total = 0;

  constructor(capacity: number, initial = 16) {
    this.capacity = capacity;
    this.#tv = new Float64Array(2 * Math.min(capacity, initial));
  }

  /** Points held now. */
  get size(): number {
    return this.#size;
  }

  /** Points pushed since the ring was made. */
  get total(): number {
    return this.#total;
  }

  /** Bytes of the typed arrays allocated now. */
  get bytes(): number {
    return this.#tv.byteLength;
  }

  /** Appends a point, overwriting the oldest when full. */
  push(t: number, v: number): void {
    let slots = this.#tv.length >> 1;
    if (this.#size === slots && slots < this.capacity) {
      this.#grow();
      slots = this.#tv.length >> 1;
    }
    const at = 2 * this.#next;
    this.#tv[at] = t;
    this.#tv[at + 1] = v;
    this.#next = this.#next + 1 === slots ? 0 : this.#next + 1;
    if (this.#size < slots) this.#size++;
    this.#total++;
  }

  /** The newest `n` points (all by default), oldest first, as fresh arrays. */
  ordered(n = this.#size): { timestamps: Float64Array; values: Float64Array } {
    const k = Math.min(Math.max(0, n), this.#size);
    return this.#copy(k, k);
  }

  /**
   * The points pushed after the ring's `total` was `mark` (those still held), oldest first; at most `max` of them
   * (the oldest `max`).
   */
  since(mark: number, max = Number.POSITIVE_INFINITY): { timestamps: Float64Array; values: Float64Array } {
    const held = this.sinceCount(mark);
    return this.#copy(held, Math.min(held, max));
  }

  /** How many of the points pushed after the ring's `total` was `mark` it still holds. */
  sinceCount(mark: number): number {
    return Math.min(Math.max(0, this.#total - mark), this.#size);
  }

  // The `count` oldest of the newest `back` points, oldest first.
  #copy(back: number, count: number): { timestamps: Float64Array; values: Float64Array } {
    const timestamps = new Float64Array(count);
    const values = new Float64Array(count);
    const len = this.#tv.length >> 1;
    let at = (this.#next - back + len) % len;
    for (let i = 0; i < count; i++) {
      timestamps[i] = this.#tv[2 * at];
      values[i] = this.#tv[2 * at + 1];
      at = at + 1 === len ? 0 : at + 1;
    }
    return { timestamps, values };
  }

  #grow(): void {
    const n = Math.min(this.capacity, this.#tv.length);
    const { timestamps, values } = this.ordered();
    this.#tv = new Float64Array(2 * n);
    for (let i = 0; i < this.#size; i++) {
      this.#tv[2 * i] = timestamps[i];
      this.#tv[2 * i + 1] = values[i];
    }
    this.#next = this.#size === n ? 0 : this.#size;
  }
}
