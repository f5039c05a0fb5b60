/**
 * The k-th smallest of `a[0..n)` (0-based), found in place by quickselect (Hoare 1961) with median-of-three pivots;
 * reorders the first n entries. O(n) expected, no allocation.
 *
 * @example
 * selectKth(Float64Array.of(5, 1, 4, 2, 3), 5, 2); // 3
 */
export function selectKth(a: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    // Median-of-three keeps sorted or constant windows (common in metrics) away from the quadratic case.
    if (a[mid] < a[lo]) swap(a, mid, lo);
    if (a[hi] < a[lo]) swap(a, hi, lo);
    if (a[hi] < a[mid]) swap(a, hi, mid);
    const pivot = a[mid];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/**
 * Median of `a[0..n)` in place (reorders the entries): the middle value, or the mean of the two middle values.
 *
 * @example
 * medianInPlace(Float64Array.of(3, 1, 2, 10), 4); // 2.5
 */
export function medianInPlace(a: Float64Array, n: number): number {
  const h = n >> 1;
  const upper = selectKth(a, n, h);
  if (n % 2 === 1) return upper;
  // After selecting h, every entry below index h is ≤ a[h]; the lower middle is their maximum.
  let lower = a[0];
  for (let i = 1; i < h; i++) if (a[i] > lower) lower = a[i];
  return (lower + upper) / 2;
}
