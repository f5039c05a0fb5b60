import type { Rng } from '@vigil/core';

/**
 * Draws `k` distinct integers from [0, n) uniformly with Floyd's algorithm (Bentley & Floyd 1987, "A sample of
 * brilliance"), in O(k) time and memory whatever n is; the result is left in `into` (cleared first).
 *
 * @example
 * const picked = sampleWithoutReplacement(createRng(1), 100_000, 256, new Set());
 */
export function sampleWithoutReplacement(rng: Rng, n: number, k: number, into: Set<number>): Set<number> {
  into.clear();
  for (let j = n - k; j < n; j++) {
    const r = rng.int(j + 1);
    into.add(into.has(r) ? j : r);
  }
  return into;
}
