const EULER_MASCHERONI = 0.5772156649015329;

/**
 * c(n): the average path length of an unsuccessful search in a binary search tree of n points, which is the
 * expected depth at which isolation ends in a random tree over n points (Liu, Ting & Zhou 2008, eq. 1:
 * c(n) = 2H(n − 1) − 2(n − 1)/n with the harmonic number H(i) ≈ ln(i) + 0.5772156649). By convention c(n) = 0 for
 * n ≤ 1 and c(2) = 1 (an external node of two points needs one more split), as in scikit-learn.
 *
 * @param n - number of points (a count ≥ 0).
 * @returns the expected path length in edges.
 * @example
 * averagePathLength(2); // 1
 * averagePathLength(256); // ≈ 10.2448
 */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n <= 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_MASCHERONI) - (2 * (n - 1)) / n;
}
