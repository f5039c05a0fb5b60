/**
 * Exact minimiser of ½ θᵀHθ − bᵀθ + Σ_j λ_j |θ_j| for a small symmetric positive semi-definite H: cyclic coordinate
 * descent with soft-thresholding (Friedman, Hastie & Tibshirani 2010, "Regularization paths…", §2) to find the
 * signs, then an exact solve of the KKT system on the active set, accepted only when the signs agree and every
 * inactive coordinate satisfies |∇_j| ≤ λ_j. The cost depends on the dimension p, not on the data length.
 */

/** Result of {@link solveL1Quadratic}. */
export interface L1QuadraticResult {
  /** True when the KKT conditions were verified to a relative 1e-9. */
  readonly exact: boolean;
  readonly sweeps: number;
}

/**
 * Minimises ½ θᵀHθ − bᵀθ + Σ λ_j|θ_j| in place, starting from `theta`. `h` is p × p row-major.
 */
export function solveL1Quadratic(
  h: Float64Array,
  b: Float64Array,
  lambda: Float64Array,
  theta: Float64Array,
  maxSweeps = 20_000,
): L1QuadraticResult {
  const p = b.length;
  const g = new Float64Array(p);
  const refresh = () => {
    for (let i = 0; i < p; i++) {
      let s = -b[i];
      for (let j = 0; j < p; j++) s += h[i * p + j] * theta[j];
      g[i] = s;
    }
  };
  refresh();
  const trial = new Float64Array(p);
  let sweeps = 0;
  while (sweeps < maxSweeps) {
    const chunk = sweeps < 20 ? 5 : 50;
    for (let c = 0; c < chunk; c++, sweeps++) {
      let maxChange = 0;
      for (let j = 0; j < p; j++) {
        const hjj = h[j * p + j];
        if (hjj <= 0) {
          // A column that no data and no prior touches: its coefficient is not identified; zero is the MAP.
          continue;
        }
        const u = hjj * theta[j] - g[j];
        const next = lambda[j] > 0 ? (Math.sign(u) * Math.max(Math.abs(u) - lambda[j], 0)) / hjj : u / hjj;
        const d = next - theta[j];
        if (d !== 0) {
          theta[j] = next;
          for (let i = 0; i < p; i++) g[i] += d * h[i * p + j];
          maxChange = Math.max(maxChange, Math.abs(d));
        }
      }
      if (maxChange === 0) break;
    }
    if (polish(h, b, lambda, theta, trial)) {
      theta.set(trial);
      return { exact: true, sweeps };
    }
    refresh();
  }
  return { exact: false, sweeps };
}

// Solves the KKT system on the current active set with its signs; true (and the solution in `out`) when it is optimal.
function polish(h: Float64Array, b: Float64Array, lambda: Float64Array, theta: Float64Array, out: Float64Array): boolean {
  const p = b.length;
  const active: number[] = [];
  for (let j = 0; j < p; j++) if ((lambda[j] === 0 || theta[j] !== 0) && h[j * p + j] > 0) active.push(j);
  const q = active.length;
  const a = new Float64Array(q * q);
  const rhs = new Float64Array(q);
  for (let r = 0; r < q; r++) {
    const i = active[r];
    rhs[r] = b[i] - (lambda[i] > 0 ? lambda[i] * Math.sign(theta[i]) : 0);
    for (let c = 0; c < q; c++) a[r * q + c] = h[i * p + active[c]];
  }
  if (!choleskySolve(a, rhs, q)) return false;
  out.fill(0);
  for (let r = 0; r < q; r++) {
    const i = active[r];
    if (lambda[i] > 0 && Math.sign(rhs[r]) !== Math.sign(theta[i])) return false;
    out[i] = rhs[r];
  }
  let scale = 0;
  for (let j = 0; j < p; j++) scale = Math.max(scale, Math.abs(b[j]), lambda[j]);
  for (let j = 0; j < p; j++) {
    if (out[j] !== 0 || lambda[j] === 0) continue;
    let s = -b[j];
    for (let i = 0; i < p; i++) s += h[j * p + i] * out[i];
    if (Math.abs(s) > lambda[j] + 1e-9 * scale) return false;
  }
  return true;
}

/**
 * Solves A x = rhs in place (rhs becomes x) for a symmetric positive-definite q × q row-major A, by Cholesky.
 * Returns false when A is not numerically positive definite.
 */
export function choleskySolve(a: Float64Array, rhs: Float64Array, q: number): boolean {
  for (let j = 0; j < q; j++) {
    let d = a[j * q + j];
    for (let k = 0; k < j; k++) d -= a[j * q + k] * a[j * q + k];
    if (!(d > 0)) return false;
    const l = Math.sqrt(d);
    a[j * q + j] = l;
    for (let i = j + 1; i < q; i++) {
      let s = a[i * q + j];
      for (let k = 0; k < j; k++) s -= a[i * q + k] * a[j * q + k];
      a[i * q + j] = s / l;
    }
  }
  for (let i = 0; i < q; i++) {
    let s = rhs[i];
    for (let k = 0; k < i; k++) s -= a[i * q + k] * rhs[k];
    rhs[i] = s / a[i * q + i];
  }
  for (let i = q - 1; i >= 0; i--) {
    let s = rhs[i];
    for (let k = i + 1; k < q; k++) s -= a[k * q + i] * rhs[k];
    rhs[i] = s / a[i * q + i];
  }
  return true;
}
