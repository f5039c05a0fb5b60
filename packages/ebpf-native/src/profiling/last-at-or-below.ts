/**
 * The index of the last element of ascending `sorted` that is at or below `x`, or -1 when every element
 * is above it: the symbol table lookup (the function whose start is the nearest at or below an address),
 * by binary search in O(log n).
 *
 * @example
 * lastAtOrBelow(Float64Array.of(10, 20, 30), 25); // 1
 * lastAtOrBelow(BigUint64Array.of(10n, 20n), 5n); // -1
 */
export function lastAtOrBelow<T extends number | bigint>(sorted: ArrayLike<T>, x: T): number {
  let lo = 0;
  let hi = sorted.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= x) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
