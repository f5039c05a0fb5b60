/**
 * Ways to combine members' calibrated scores into one statistic. Scores are first turned into evidence
 * e = −log10(1 − score) ("nines": 0.999 → 3), so that a member that is sure counts for more than one that is merely
 * above average, and combinations stay in comparable units.
 */

/** How an ensemble combines its members. */
export type CombineRule = 'mean' | 'max' | 'vote' | 'stacking';

/** Largest evidence a single score can carry (a score of 1 − 1e-12). */
export const MAX_EVIDENCE = 12;

/**
 * Evidence of a calibrated score: −log10(1 − score), capped at {@link MAX_EVIDENCE}.
 *
 * @example
 * evidence(0.999); // 3
 */
export function evidence(score: number): number {
  if (!(score > 0)) return 0;
  return Math.min(MAX_EVIDENCE, -Math.log10(Math.max(1 - score, 10 ** -MAX_EVIDENCE)));
}

/**
 * Combines member evidence `e` (one per member) with `weights` (and, for stacking, the intercept in `bias`).
 * - `mean`: Σ wᵢeᵢ / Σ wᵢ;  `max`: max eᵢ;
 * - `vote`: Σ wᵢ·[scoreᵢ ≥ thresholdᵢ] plus a tie-breaker of mean evidence / 100 so ties still rank;
 * - `stacking`: the logit bias + Σ wᵢeᵢ of a logistic regression learnt on labelled data.
 */
export function combine(
  rule: CombineRule,
  e: ArrayLike<number>,
  votes: ArrayLike<number>,
  weights: ArrayLike<number>,
  bias: number,
): number {
  const k = e.length;
  switch (rule) {
    case 'max': {
      let m = 0;
      for (let i = 0; i < k; i++) if (e[i] > m) m = e[i];
      return m;
    }
    case 'vote': {
      let v = 0;
      let sum = 0;
      for (let i = 0; i < k; i++) {
        v += weights[i] * votes[i];
        sum += e[i];
      }
      return v + sum / k / 100;
    }
    case 'stacking': {
      let z = bias;
      for (let i = 0; i < k; i++) z += weights[i] * e[i];
      return z;
    }
    default: {
      let num = 0;
      let den = 0;
      for (let i = 0; i < k; i++) {
        num += weights[i] * e[i];
        den += weights[i];
      }
      return den > 0 ? num / den : 0;
    }
  }
}

/**
 * L2-regularised logistic regression by Newton's method (iteratively reweighted least squares) on a small
 * feature matrix — the stacking meta-model. Rows with NaN features are skipped. Class weights balance the rare
 * positive labels.
 *
 * @param x - rows of features (one per point).
 * @param y - 0/1 labels.
 * @param l2 - ridge penalty on the weights (not the bias). Default 1.
 * @returns the bias and one weight per feature.
 */
export function fitLogistic(
  x: readonly Float64Array[],
  y: ArrayLike<number>,
  l2 = 1,
): { bias: number; weights: number[] } {
  const d = x[0]?.length ?? 0;
  const p = d + 1;
  const beta = new Float64Array(p);
  let pos = 0;
  for (let i = 0; i < y.length; i++) pos += y[i] ? 1 : 0;
  const neg = y.length - pos;
  const wPos = pos > 0 ? y.length / (2 * pos) : 1;
  const wNeg = neg > 0 ? y.length / (2 * neg) : 1;
  for (let iter = 0; iter < 50; iter++) {
    const g = new Float64Array(p);
    const h = Array.from({ length: p }, () => new Float64Array(p));
    for (let j = 1; j < p; j++) {
      g[j] -= l2 * beta[j];
      h[j][j] += l2;
    }
    for (let i = 0; i < x.length; i++) {
      const row = x[i];
      let z = beta[0];
      let bad = false;
      for (let j = 0; j < d; j++) {
        if (Number.isNaN(row[j])) bad = true;
        z += beta[j + 1] * row[j];
      }
      if (bad) continue;
      const mu = 1 / (1 + Math.exp(-z));
      const w = y[i] ? wPos : wNeg;
      const r = w * ((y[i] ? 1 : 0) - mu);
      const s = w * mu * (1 - mu);
      for (let a = 0; a < p; a++) {
        const fa = a === 0 ? 1 : row[a - 1];
        g[a] += r * fa;
        for (let b = 0; b < p; b++) h[a][b] += s * fa * (b === 0 ? 1 : row[b - 1]);
      }
    }
    const step = solve(h, g);
    let change = 0;
    for (let a = 0; a < p; a++) {
      beta[a] += step[a];
      change = Math.max(change, Math.abs(step[a]));
    }
    if (change < 1e-9) break;
  }
  return { bias: beta[0], weights: Array.from(beta.subarray(1)) };
}

// Gaussian elimination with partial pivoting on a small dense system (p ≤ a dozen members + 1).
function solve(a: Float64Array[], b: Float64Array): Float64Array {
  const n = b.length;
  const m = a.map((row, i) => {
    const r = new Float64Array(n + 1);
    r.set(row);
    r[n] = b[i];
    return r;
  });
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[piv][c])) piv = r;
    [m[c], m[piv]] = [m[piv], m[c]];
    const d = m[c][c];
    if (Math.abs(d) < 1e-12) continue;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c] / d;
      if (f !== 0) for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return Float64Array.from({ length: n }, (_, i) => (Math.abs(m[i][i]) < 1e-12 ? 0 : m[i][n] / m[i][i]));
}
