/**
 * Exact minimiser of ½ θᵀHθ − bᵀθ + Σ_j λ_j |θ_j| for a small symmetric positive semi-definite H (λ_j = 0 marks an
 * unpenalised coordinate). Feature-sign search (Lee, Battle, Raina & Ng 2007, "Efficient sparse coding algorithms",
 * Algorithm 1): guess the active set and signs, solve the KKT system on it exactly, and line-search towards that
 * solution through the points where coefficients change sign; it terminates at the exact optimum in finitely many
 * steps. Cyclic coordinate descent (Friedman et al. 2010) is the fallback should it ever stall. The cost depends on
 * the dimension p only, not on the data length.
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
  if (featureSign(h, b, lambda, theta)) return { exact: true, sweeps: 0 };
  return coordinateDescent(h, b, lambda, theta, maxSweeps);
}

// ∇(½θᵀHθ − bᵀθ) = Hθ − b, into `out`.
function quadraticGradient(h: Float64Array, b: Float64Array, theta: Float64Array, out: Float64Array): void {
  const p = b.length;
  for (let i = 0; i < p; i++) {
    let s = -b[i];
    for (let j = 0; j < p; j++) s += h[i * p + j] * theta[j];
    out[i] = s;
  }
}

/**
 * Adds the outer product z zᵀ (upper triangle only) to the p × p `gram` and z·y to `zy`, where only the first `length`
 * entries of z may be nonzero; zero entries are skipped. Call {@link symmetrize} once at the end.
 */
export function accumulateGram(
  z: Float64Array,
  y: number,
  gram: Float64Array,
  zy: Float64Array,
  length = z.length,
): void {
  const p = z.length;
  for (let a = 0; a < length; a++) {
    const za = z[a];
    if (za === 0) continue;
    zy[a] += za * y;
    const row = a * p;
    for (let c = a; c < length; c++) gram[row + c] += za * z[c];
  }
}

/** Copies the upper triangle of a p × p row-major matrix onto its lower triangle. */
export function symmetrize(m: Float64Array, p: number): void {
  for (let a = 0; a < p; a++) for (let c = a + 1; c < p; c++) m[c * p + a] = m[a * p + c];
}

function objective(h: Float64Array, b: Float64Array, lambda: Float64Array, x: Float64Array): number {
  const p = b.length;
  let v = 0;
  for (let i = 0; i < p; i++) {
    if (x[i] === 0) continue;
    let hx = 0;
    for (let j = 0; j < p; j++) hx += h[i * p + j] * x[j];
    v += x[i] * (0.5 * hx - b[i]) + lambda[i] * Math.abs(x[i]);
  }
  return v;
}

// Feature-sign search; true when it reached a point that satisfies the KKT conditions (theta then holds it).
function featureSign(h: Float64Array, b: Float64Array, lambda: Float64Array, theta: Float64Array): boolean {
  const p = b.length;
  const usable = (j: number) => h[j * p + j] > 0;
  const sign = new Float64Array(p);
  const active = new Uint8Array(p);
  for (let j = 0; j < p; j++) {
    if (!usable(j)) {
      theta[j] = 0;
      continue;
    }
    if (lambda[j] === 0 || theta[j] !== 0) active[j] = 1;
    sign[j] = Math.sign(theta[j]);
  }
  let scale = 1e-300;
  for (let j = 0; j < p; j++) scale = Math.max(scale, Math.abs(b[j]), lambda[j]);
  const tol = 1e-10 * scale;
  const g = new Float64Array(p);
  const gradient = () => quadraticGradient(h, b, theta, g);
  const target = new Float64Array(p);
  const candidate = new Float64Array(p);
  for (let outer = 0; outer < 20 * p + 100; outer++) {
    gradient();
    // Step 2: the zero coefficient that most violates optimality joins the active set.
    let best = -1;
    let worst = tol;
    for (let j = 0; j < p; j++) {
      if (active[j] || !usable(j)) continue;
      const v = Math.abs(g[j]) - lambda[j];
      if (v > worst) {
        worst = v;
        best = j;
      }
    }
    if (best >= 0) {
      active[best] = 1;
      sign[best] = -Math.sign(g[best]);
    } else if (outer > 0) {
      return true;
    }
    // Step 3: exact solve on the active set with the current signs, then a discrete line search.
    for (let inner = 0; inner < 10 * p + 10; inner++) {
      const idx: number[] = [];
      for (let j = 0; j < p; j++) if (active[j]) idx.push(j);
      const q = idx.length;
      const a = new Float64Array(q * q);
      const rhs = new Float64Array(q);
      for (let r = 0; r < q; r++) {
        const i = idx[r];
        rhs[r] = b[i] - lambda[i] * sign[i];
        for (let c = 0; c < q; c++) a[r * q + c] = h[i * p + idx[c]];
      }
      if (!choleskySolve(a, rhs, q)) return false;
      target.fill(0);
      for (let r = 0; r < q; r++) target[idx[r]] = rhs[r];
      // Candidates: the target and every point on the segment where a penalised coefficient crosses zero.
      let bestX = target;
      let bestF = objective(h, b, lambda, target);
      let signsAgree = true;
      for (const i of idx) {
        if (lambda[i] > 0 && Math.sign(target[i]) !== sign[i]) signsAgree = false;
      }
      if (!signsAgree) {
        bestX = Float64Array.from(theta);
        bestF = objective(h, b, lambda, theta);
        for (const i of idx) {
          if (lambda[i] === 0 || theta[i] === 0 || Math.sign(target[i]) === Math.sign(theta[i])) continue;
          const step = theta[i] / (theta[i] - target[i]);
          for (let j = 0; j < p; j++) candidate[j] = theta[j] + step * (target[j] - theta[j]);
          candidate[i] = 0;
          const f = objective(h, b, lambda, candidate);
          if (f < bestF) {
            bestF = f;
            bestX = Float64Array.from(candidate);
          }
        }
      }
      theta.set(bestX);
      for (let j = 0; j < p; j++) {
        if (lambda[j] > 0 && active[j] && theta[j] === 0) active[j] = 0;
        sign[j] = Math.sign(theta[j]);
      }
      // Step 4(a): optimality of the nonzero coefficients.
      gradient();
      let ok = true;
      for (let j = 0; j < p && ok; j++) {
        if (!active[j]) continue;
        if (Math.abs(g[j] + lambda[j] * sign[j]) > tol) ok = false;
      }
      if (ok) break;
      if (!signsAgree && bestX === target) break;
    }
  }
  return false;
}

function coordinateDescent(
  h: Float64Array,
  b: Float64Array,
  lambda: Float64Array,
  theta: Float64Array,
  maxSweeps: number,
): L1QuadraticResult {
  const p = b.length;
  const g = new Float64Array(p);
  const refresh = () => quadraticGradient(h, b, theta, g);
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
function polish(
  h: Float64Array,
  b: Float64Array,
  lambda: Float64Array,
  theta: Float64Array,
  out: Float64Array,
): boolean {
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
