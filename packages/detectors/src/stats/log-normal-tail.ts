/**
 * Natural logarithm of the standard normal upper tail, ln P(Z ≥ z), accurate far into the tail where P itself
 * underflows (z ≈ 38 and beyond). Computed in log space from the `erfcc` Chebyshev fit of Press et al.,
 * "Numerical Recipes" 2nd ed. §6.2 (fractional error < 1.2e-7 everywhere), since erfc(x) = t·exp(−x² + poly(t)).
 *
 * @param z - a standard normal deviate; NaN gives NaN.
 * @example
 * Math.exp(logNormalTail(1.959964)); // ≈ 0.025
 * logNormalTail(50) / Math.LN10;      // ≈ −544.4 (P ≈ 2e-545)
 */
export function logNormalTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const poly =
    -1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t *
                      (0.27886807 +
                        t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const logHalfErfc = Math.log(0.5 * t) - x * x + poly;
  // For z < 0 the tail is 1 − (the mirrored tail); log1p keeps it exact near ln 1 = 0.
  return z >= 0 ? logHalfErfc : Math.log1p(-Math.exp(logHalfErfc));
}
