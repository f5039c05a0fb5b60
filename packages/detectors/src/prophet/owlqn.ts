/**
 * Orthant-wise limited-memory quasi-Newton (OWL-QN; Andrew & Gao 2007, "Scalable training of L1-regularized
 * log-linear models", Algorithm 1): L-BFGS (Nocedal 1980) extended to f(x) + Σ_j λ_j|x_j| with smooth f. With all
 * λ_j = 0 it is plain L-BFGS with a backtracking Armijo line search. Deterministic.
 */

/** Smooth part of the objective: returns f(x) and writes ∇f(x) into `grad`. */
export type SmoothObjective = (x: Float64Array, grad: Float64Array) => number;

/** Options of {@link minimizeOwlqn}. */
export interface OwlqnOptions {
  /** L1 weight per coordinate (0 = not penalised). Default all 0. */
  readonly l1?: Float64Array;
  /** Pairs kept for the inverse-Hessian approximation. Default 10. */
  readonly memory?: number;
  /** Iteration limit. Default 10 000 (Prophet's `iter`). */
  readonly maxIterations?: number;
  /** Stop when the relative decrease of the objective over one iteration is below this. Default 1e4·ε ≈ 2.2e-12 (Stan's `tol_rel_obj`). */
  readonly relTol?: number;
  /** Stop when no coordinate moved more than this in one iteration. Default 1e-8 (Stan's `tol_param`). */
  readonly paramTol?: number;
}

/** Result of {@link minimizeOwlqn}. */
export interface OwlqnResult {
  readonly x: Float64Array;
  readonly value: number;
  readonly iterations: number;
  readonly converged: boolean;
}

/** Minimises f(x) + Σ λ_j |x_j| from `x0` (not modified). */
export function minimizeOwlqn(f: SmoothObjective, x0: Float64Array, options: OwlqnOptions = {}): OwlqnResult {
  const p = x0.length;
  const l1 = options.l1 ?? new Float64Array(p);
  const memory = options.memory ?? 10;
  const maxIterations = options.maxIterations ?? 10_000;
  const relTol = options.relTol ?? 1e4 * Number.EPSILON;
  const paramTol = options.paramTol ?? 1e-8;
  const penalty = (x: Float64Array) => {
    let s = 0;
    for (let j = 0; j < p; j++) s += l1[j] * Math.abs(x[j]);
    return s;
  };
  let x = Float64Array.from(x0);
  let g = new Float64Array(p);
  let fx = f(x, g) + penalty(x);
  const pg = new Float64Array(p);
  const d = new Float64Array(p);
  const xNew = new Float64Array(p);
  let gNew = new Float64Array(p);
  const sList: Float64Array[] = [];
  const yList: Float64Array[] = [];
  const rhoList: number[] = [];
  const alpha = new Float64Array(memory);
  let iter = 0;
  for (; iter < maxIterations; iter++) {
    pseudoGradient(x, g, l1, pg);
    let pgNorm = 0;
    for (let j = 0; j < p; j++) pgNorm = Math.max(pgNorm, Math.abs(pg[j]));
    if (pgNorm < 1e-12) return { x, value: fx, iterations: iter, converged: true };
    // Two-loop recursion: d = −H·pg.
    for (let j = 0; j < p; j++) d[j] = -pg[j];
    const m = sList.length;
    for (let k = m - 1; k >= 0; k--) {
      alpha[k] = rhoList[k] * dot(sList[k], d);
      axpy(-alpha[k], yList[k], d);
    }
    if (m > 0) {
      const gamma = dot(sList[m - 1], yList[m - 1]) / dot(yList[m - 1], yList[m - 1]);
      for (let j = 0; j < p; j++) d[j] *= gamma;
    } else {
      // First step: a unit-length move along the steepest descent direction, as Stan's init_alpha does.
      for (let j = 0; j < p; j++) d[j] /= Math.max(pgNorm, 1);
    }
    for (let k = 0; k < m; k++) {
      const beta = rhoList[k] * dot(yList[k], d);
      axpy(alpha[k] - beta, sList[k], d);
    }
    // Keep the direction in the descent orthant of the pseudo-gradient.
    for (let j = 0; j < p; j++) if (l1[j] > 0 && d[j] * pg[j] >= 0) d[j] = 0;
    let slope = dot(d, pg);
    if (!(slope < 0)) {
      for (let j = 0; j < p; j++) d[j] = -pg[j];
      slope = dot(d, pg);
      sList.length = 0;
      yList.length = 0;
      rhoList.length = 0;
    }
    let step = 1;
    let fNew = Number.POSITIVE_INFINITY;
    let accepted = false;
    for (let ls = 0; ls < 60; ls++) {
      for (let j = 0; j < p; j++) {
        let v = x[j] + step * d[j];
        if (l1[j] > 0) {
          // Project onto the orthant of x (or of −pg where x is 0): coordinates may reach zero, not cross it.
          const orthant = x[j] !== 0 ? Math.sign(x[j]) : -Math.sign(pg[j]);
          if (Math.sign(v) !== orthant) v = 0;
        }
        xNew[j] = v;
      }
      fNew = f(xNew, gNew) + penalty(xNew);
      let decrease = 0;
      for (let j = 0; j < p; j++) decrease += pg[j] * (xNew[j] - x[j]);
      if (Number.isFinite(fNew) && fNew <= fx + 1e-4 * decrease) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) return { x, value: fx, iterations: iter, converged: true };
    const s = new Float64Array(p);
    const y = new Float64Array(p);
    for (let j = 0; j < p; j++) {
      s[j] = xNew[j] - x[j];
      y[j] = gNew[j] - g[j];
    }
    let moved = 0;
    for (let j = 0; j < p; j++) moved = Math.max(moved, Math.abs(s[j]));
    const sy = dot(s, y);
    if (sy > 1e-16 * Math.sqrt(dot(s, s) * dot(y, y))) {
      if (sList.length === memory) {
        sList.shift();
        yList.shift();
        rhoList.shift();
      }
      sList.push(s);
      yList.push(y);
      rhoList.push(1 / sy);
    }
    const rel = (fx - fNew) / Math.max(Math.abs(fx), Math.abs(fNew), 1);
    const swap = g;
    g = gNew;
    gNew = swap;
    x = Float64Array.from(xNew);
    fx = fNew;
    if (rel < relTol || moved < paramTol) return { x, value: fx, iterations: iter + 1, converged: true };
  }
  return { x, value: fx, iterations: iter, converged: false };
}

// The minimum-norm subgradient of f + Σλ|x| (Andrew & Gao 2007, eq. 4).
function pseudoGradient(x: Float64Array, g: Float64Array, l1: Float64Array, out: Float64Array): void {
  for (let j = 0; j < x.length; j++) {
    const l = l1[j];
    if (l === 0) out[j] = g[j];
    else if (x[j] > 0) out[j] = g[j] + l;
    else if (x[j] < 0) out[j] = g[j] - l;
    else if (g[j] + l < 0) out[j] = g[j] + l;
    else if (g[j] - l > 0) out[j] = g[j] - l;
    else out[j] = 0;
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * b[j];
  return s;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let j = 0; j < x.length; j++) y[j] += a * x[j];
}
