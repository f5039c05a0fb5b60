/**
 * A fixed-capacity window of the most recent observed values that also keeps them sorted, so that order statistics
 * cost no selection per point: pushing a value removes the oldest from the sorted run by binary search and inserts
 * the new one by shifting only the entries between the two positions (at most the window's length, usually far
 * fewer), and the median is read in O(1).
 *
 * Insertion order and sorted order share one Float64Array (`[ring | sorted]`): one allocation per window, nothing
 * allocated per point. Values must not be NaN (callers push only observed values).
 *
 * @example
 * const w = new SortedWindow(3, [5, 1, 4]);
 * w.push(2);     // evicts 5
 * w.median();    // 2
 * w.toArray();   // [1, 4, 2]
 */
export class SortedWindow {
  readonly capacity: number;
  /** `[0, capacity)`: the ring in insertion order; `[capacity, 2·capacity)`: the same values sorted. */
  readonly #buf: Float64Array;
  #head = 0;
  #count = 0;

  constructor(capacity: number, values: ArrayLike<number> = []) {
    this.capacity = capacity;
    this.#buf = new Float64Array(2 * capacity);
    for (let i = Math.max(0, values.length - capacity); i < values.length; i++) this.push(values[i]);
  }

  /** Number of values held. */
  get size(): number {
    return this.#count;
  }

  /** Appends a value, evicting the oldest when full. */
  push(x: number): void {
    const buf = this.#buf;
    const cap = this.capacity;
    const n = this.#count;
    if (n < cap) {
      buf[(this.#head + n) % cap] = x;
      this.#count = n + 1;
      // Shift the larger entries up by one and drop x into the gap (insertion sort step).
      let i = cap + n;
      while (i > cap && buf[i - 1] > x) {
        buf[i] = buf[i - 1];
        i--;
      }
      buf[i] = x;
      return;
    }
    const old = buf[this.#head];
    buf[this.#head] = x;
    this.#head = this.#head + 1 === cap ? 0 : this.#head + 1;
    if (old === x) return;
    // Position of (one copy of) the evicted value in the sorted run.
    let lo = cap;
    let hi = cap + n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (buf[mid] < old) lo = mid + 1;
      else hi = mid;
    }
    // Slide the entries between the old value's slot and x's place over by one, then write x.
    let i = lo;
    if (x > old) {
      const end = cap + n - 1;
      while (i < end && buf[i + 1] < x) {
        buf[i] = buf[i + 1];
        i++;
      }
    } else {
      while (i > cap && buf[i - 1] > x) {
        buf[i] = buf[i - 1];
        i--;
      }
    }
    buf[i] = x;
  }

  /** The k-th smallest value held (0-based; k < size). */
  kth(k: number): number {
    return this.#buf[this.capacity + k];
  }

  /** The median: the middle value, or the mean of the two middle values; NaN when empty. */
  median(): number {
    const n = this.#count;
    if (n === 0) return Number.NaN;
    const h = n >> 1;
    const base = this.capacity;
    return n % 2 === 1 ? this.#buf[base + h] : (this.#buf[base + h - 1] + this.#buf[base + h]) / 2;
  }

  /**
   * The median of |x − center| over the window (the unscaled MAD when `center` is the median, which it must be:
   * half the values on each side). The deviations left of the middle, read outwards, and those right of it are two
   * ascending runs, so the middle deviations are a k-th smallest of two sorted runs, found by binary search
   * (O(log n), nothing copied). Each deviation is computed as `|x − center|`, exactly as a selection over the
   * absolute deviations would, so the result is the same number.
   */
  medianDeviation(center: number): number {
    const n = this.#count;
    if (n === 0) return Number.NaN;
    const buf = this.#buf;
    // Left run A[a] = |s[q − 1 − a] − center|, right run B[b] = |s[q + b] − center|, with s the sorted values.
    const q = this.capacity + (n >> 1);
    const lenA = n >> 1;
    const lenB = n - lenA;
    // The K = ⌊n/2⌋ + 1 smallest deviations are A[0, a) and B[0, K − a): the least a with A[a] ≥ B[K − a − 1].
    const K = lenA + 1;
    let lo = Math.max(0, K - lenB);
    let hi = Math.min(K, lenA);
    while (lo < hi) {
      const a = (lo + hi) >> 1;
      if (Math.abs(buf[q - 1 - a] - center) < Math.abs(buf[q + K - a - 1] - center)) lo = a + 1;
      else hi = a;
    }
    const a = lo;
    const b = K - a;
    const lastA = a > 0 ? Math.abs(buf[q - a] - center) : Number.NEGATIVE_INFINITY;
    const lastB = b > 0 ? Math.abs(buf[q + b - 1] - center) : Number.NEGATIVE_INFINITY;
    const kth = Math.max(lastA, lastB);
    if (n % 2 === 1) return kth;
    // Even n: the mean of the two largest of the K smallest.
    const beforeA = a > 1 ? Math.abs(buf[q - a + 1] - center) : Number.NEGATIVE_INFINITY;
    const beforeB = b > 1 ? Math.abs(buf[q + b - 2] - center) : Number.NEGATIVE_INFINITY;
    const second = lastA >= lastB ? Math.max(beforeA, lastB) : Math.max(lastA, beforeB);
    return (second + kth) / 2;
  }

  /** Copies the values, oldest first, into `out` and returns how many were written. */
  copyTo(out: Float64Array): number {
    const cap = this.capacity;
    for (let i = 0; i < this.#count; i++) out[i] = this.#buf[(this.#head + i) % cap];
    return this.#count;
  }

  /** The values, oldest first. */
  toArray(): number[] {
    const out: number[] = new Array(this.#count);
    const cap = this.capacity;
    for (let i = 0; i < this.#count; i++) out[i] = this.#buf[(this.#head + i) % cap];
    return out;
  }

  /** An independent copy. */
  clone(): SortedWindow {
    return new SortedWindow(this.capacity, this.toArray());
  }
}
