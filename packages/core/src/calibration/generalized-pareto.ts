/** Parameters of a generalized Pareto distribution (GPD) of excesses over a threshold. */
export interface GeneralizedPareto {
  /** Shape ξ (γ in Siffer et al.): > 0 heavy tail, 0 exponential, < 0 bounded tail. */
  readonly shape: number;
  /** Scale σ > 0, in the units of the excesses. */
  readonly scale: number;
  /** Log-likelihood of the fitted excesses. */
  readonly logLikelihood: number;
}

/**
 * Survival function of the GPD: P(Y > y) = (1 + ξ y / σ)^(−1/ξ), or exp(−y/σ) when ξ = 0; 0 beyond a bounded tail's
 * end point (ξ < 0, y ≥ −σ/ξ).
 *
 * @example
 * gpdSurvival(1, { shape: 0, scale: 1, logLikelihood: 0 }); // e^-1 ≈ 0.3679
 */
export function gpdSurvival(y: number, gpd: GeneralizedPareto): number {
  if (y <= 0) return 1;
  const { shape, scale } = gpd;
  if (Math.abs(shape) < 1e-9) return Math.exp(-y / scale);
  const base = 1 + (shape * y) / scale;
  if (base <= 0) return 0;
  return base ** (-1 / shape);
}

/**
 * Inverse survival of the GPD: the excess y with P(Y > y) = q, for q in (0, 1].
 *
 * @example
 * gpdInverseSurvival(Math.exp(-1), { shape: 0, scale: 1, logLikelihood: 0 }); // 1
 */
export function gpdInverseSurvival(q: number, gpd: GeneralizedPareto): number {
  const { shape, scale } = gpd;
  if (q >= 1) return 0;
  if (Math.abs(shape) < 1e-9) return -scale * Math.log(q);
  return (scale / shape) * (q ** -shape - 1);
}

// Profile log-likelihood of Grimshaw (1993): with θ = ξ/σ, the MLE of ξ given θ is mean(log(1 + θy)), so the
// two-parameter problem becomes a one-dimensional search over θ.
function profile(y: ArrayLike<number>, theta: number): { shape: number; scale: number; ll: number } {
  const n = y.length;
  let sumLog = 0;
  for (let i = 0; i < n; i++) sumLog += Math.log1p(theta * y[i]);
  const shape = sumLog / n;
  const scale = shape / theta;
  if (!(scale > 0) || !Number.isFinite(scale)) return { shape, scale, ll: Number.NEGATIVE_INFINITY };
  return { shape, scale, ll: -n * Math.log(scale) - n * (1 + shape) };
}

/**
 * Maximum-likelihood fit of a GPD to positive excesses over a threshold, by Grimshaw's profile likelihood in
 * θ = ξ/σ (Grimshaw 1993; as used by SPOT, Siffer et al. 2017, §3.2): a log-spaced grid over θ on both sides of 0
 * (θ > −1/max(y)), refined by golden-section search, compared with the exponential (ξ = 0) fit.
 *
 * @param excesses - values y > 0 (excesses over the threshold); at least 2.
 * @param minShape - smallest shape ξ considered; 0 restricts the fit to exponential or heavier tails. Default −∞.
 * @returns the fitted shape, scale and log-likelihood.
 * @example
 * fitGeneralizedPareto([0.1, 0.5, 0.2, 1.3, 0.7]).scale > 0; // true
 */
export function fitGeneralizedPareto(
  excesses: ArrayLike<number>,
  minShape = Number.NEGATIVE_INFINITY,
): GeneralizedPareto {
  const n = excesses.length;
  let mean = 0;
  let max = 0;
  for (let i = 0; i < n; i++) {
    mean += excesses[i];
    if (excesses[i] > max) max = excesses[i];
  }
  mean /= n;
  let best = { shape: 0, scale: mean, ll: -n * Math.log(mean) - n };
  let bestTheta = 0;
  const consider = (theta: number) => {
    const p = profile(excesses, theta);
    if (p.ll > best.ll && p.shape >= minShape) {
      best = p;
      bestTheta = theta;
    }
    return p.ll;
  };
  const grid: number[] = [];
  // θ < 0 gives ξ < 0; skip that side when the caller rules bounded tails out.
  for (let k = 0; k < (minShape < 0 ? 60 : 0); k++)
    grid.push(-(0.999 * (1 - 10 ** (-3 * (1 - k / 59)))) / max); // −0.999/max … ≈0⁻
  for (let k = 0; k < 80; k++) grid.push(10 ** (-4 + (7 * k) / 79) / mean); // 1e-4/mean … 1e3/mean
  grid.sort((a, b) => a - b);
  let bestIndex = -1;
  for (let k = 0; k < grid.length; k++) {
    const before = best.ll;
    consider(grid[k]);
    if (best.ll > before) bestIndex = k;
  }
  if (bestIndex >= 0) {
    let a = grid[Math.max(0, bestIndex - 1)];
    let b = grid[Math.min(grid.length - 1, bestIndex + 1)];
    const g = (Math.sqrt(5) - 1) / 2;
    for (let it = 0; it < 60 && b - a > 1e-12 * Math.abs(bestTheta || 1); it++) {
      const c = b - g * (b - a);
      const d = a + g * (b - a);
      if (consider(c) >= consider(d)) b = d;
      else a = c;
    }
  }
  return { shape: best.shape, scale: best.scale, logLikelihood: best.ll };
}
