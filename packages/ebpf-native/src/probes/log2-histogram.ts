/** Power-of-two latency histograms as the kernel side builds them (slot = floor(log2(ns))). */

/** Slots: slot i counts samples with 2^i ≤ ns < 2^(i+1); slot 0 also counts 0 ns. */
export const LOG2_SLOTS = 64;

/** A log2 histogram of nanosecond samples. */
export interface Log2Histogram {
  /** Sample count per slot, `LOG2_SLOTS` long. */
  counts: Float64Array;
  /** Total samples. */
  total: number;
}

/** An empty histogram. */
export function emptyLog2Histogram(): Log2Histogram {
  return { counts: new Float64Array(LOG2_SLOTS), total: 0 };
}

/** Adds `n` samples to `slot`. */
export function addToSlot(h: Log2Histogram, slot: number, n: number): void {
  if (slot < 0 || slot >= LOG2_SLOTS || !(n > 0)) return;
  h.counts[slot] += n;
  h.total += n;
}

/** Whether `a` and `b` hold the same counts (a snapshot keeps the last one's histogram when nothing changed). */
export function sameHistogram(a: Log2Histogram, b: Log2Histogram | undefined): boolean {
  if (!b || a.total !== b.total) return false;
  for (let i = 0; i < LOG2_SLOTS; i++) if (a.counts[i] !== b.counts[i]) return false;
  return true;
}

/** `a - b` slot by slot: the samples of an interval from two cumulative snapshots. */
export function subtractHistograms(a: Log2Histogram, b: Log2Histogram | undefined): Log2Histogram {
  const out = emptyLog2Histogram();
  for (let i = 0; i < LOG2_SLOTS; i++) addToSlot(out, i, a.counts[i] - (b?.counts[i] ?? 0));
  return out;
}

/**
 * The q-quantile in nanoseconds, interpolating linearly inside the slot [2^i, 2^(i+1)); NaN when empty.
 * Resolution is one power of two, so read the result as "within a factor of two".
 *
 * @example
 * const h = emptyLog2Histogram(); addToSlot(h, 10, 4); // four samples in [1024, 2048) ns
 * log2Quantile(h, 0.5); // 1536
 */
export function log2Quantile(h: Log2Histogram, q: number): number {
  if (h.total <= 0 || !(q >= 0 && q <= 1)) return Number.NaN;
  const rank = q * h.total;
  let seen = 0;
  for (let i = 0; i < LOG2_SLOTS; i++) {
    const c = h.counts[i];
    if (c === 0) continue;
    if (seen + c >= rank) {
      const lo = i === 0 ? 0 : 2 ** i;
      const hi = 2 ** (i + 1);
      return lo + ((rank - seen) / c) * (hi - lo);
    }
    seen += c;
  }
  return 2 ** LOG2_SLOTS;
}

/** Samples at or above `ns` (counting whole slots whose lower bound is ≥ ns). */
export function countAtLeast(h: Log2Histogram, ns: number): number {
  let n = 0;
  for (let i = 0; i < LOG2_SLOTS; i++) if ((i === 0 ? 0 : 2 ** i) >= ns) n += h.counts[i];
  return n;
}
