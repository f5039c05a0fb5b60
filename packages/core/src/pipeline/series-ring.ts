/**
 * The recent history of one series as a ring of typed arrays: pushing is O(1) and allocation-free once grown, the
 * oldest point is overwritten when full, and memory follows the points actually held (the arrays start small and
 * double up to `capacity`), so a million short-lived series do not each reserve a full history.
 *
 * @example
 * const ring = new SeriesRing(4);
 * for (let i = 0; i < 6; i++) ring.push(i * 1000, i);
 * ring.ordered().values; // Float64Array [2, 3, 4, 5]
 */
export class SeriesRing {
  /** Most points held. */
  readonly capacity: number;
  #t: Float64Array;
  #v: Float64Array;
  /** Slot of the next write. */
  #next = 0;
  #size = 0;
  /** Points ever pushed (marks survive wrap-around: see {@link since}). */
  #total = 0;

  constructor(capacity: number, initial = 16) {
    this.capacity = capacity;
    const n = Math.min(capacity, initial);
    this.#t = new Float64Array(n);
    this.#v = new Float64Array(n);
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
    return this.#t.byteLength + this.#v.byteLength;
  }

  /** Appends a point, overwriting the oldest when full. */
  push(t: number, v: number): void {
    if (this.#size === this.#t.length && this.#size < this.capacity) this.#grow();
    this.#t[this.#next] = t;
    this.#v[this.#next] = v;
    this.#next = this.#next + 1 === this.#t.length ? 0 : this.#next + 1;
    if (this.#size < this.#t.length) this.#size++;
    this.#total++;
  }

  /** The newest `n` points (all by default), oldest first, as fresh arrays. */
  ordered(n = this.#size): { timestamps: Float64Array; values: Float64Array } {
    const k = Math.min(Math.max(0, n), this.#size);
    const timestamps = new Float64Array(k);
    const values = new Float64Array(k);
    const len = this.#t.length;
    let at = (this.#next - k + len) % len;
    for (let i = 0; i < k; i++) {
      timestamps[i] = this.#t[at];
      values[i] = this.#v[at];
      at = at + 1 === len ? 0 : at + 1;
    }
    return { timestamps, values };
  }

  /** The points pushed after the ring's `total` was `mark` (those still held), oldest first. */
  since(mark: number): { timestamps: Float64Array; values: Float64Array } {
    return this.ordered(this.#total - mark);
  }

  #grow(): void {
    const n = Math.min(this.capacity, this.#t.length * 2);
    const { timestamps, values } = this.ordered();
    this.#t = new Float64Array(n);
    this.#v = new Float64Array(n);
    this.#t.set(timestamps);
    this.#v.set(values);
    this.#next = this.#size === n ? 0 : this.#size;
  }
}
