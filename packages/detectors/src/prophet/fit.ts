/**
 * The maximum a posteriori fit of Prophet's model (facebook/prophet `prophet.stan`), on scaled data:
 *
 *   k, m ~ N(0, 5); δ ~ Laplace(0, τ); σ ~ N⁺(0, 0.5); β ~ N(0, s);
 *   y ~ N(trend(t) · (1 + X·β_m) + X·β_a, σ).
 *
 * With a linear or flat trend and only additive components the mean is linear in θ = (k, m, δ, β), so the
 * objective is a penalised least-squares problem: one pass forms the Gram matrix, then σ and θ are alternated
 * exactly (θ | σ is a lasso on the Gram matrix, σ | θ a quadratic in σ²). Otherwise (logistic trend or
 * multiplicative components) proximal Gauss–Newton linearises the mean and solves the same kind of lasso per
 * iteration (`gauss-newton.ts`). OWL-QN on the full posterior is kept as an independent check of both.
 */
import { fitGaussNewton } from './gauss-newton.js';
import { accumulateGram, solveL1Quadratic, symmetrize } from './lasso-gram.js';
import type { MapData, MapFitInfo, MapParams } from './map-types.js';
import { minimizeOwlqn } from './owlqn.js';
import { initialTrend, logisticGammas, segmentIndices } from './trend.js';

/**
 * Computes the MAP estimate; deterministic. `solver` forces a method (the exact one only applies when the mean is
 * linear in θ); by default the exact solver is used whenever it applies.
 */
export function fitMap(
  data: MapData,
  solver?: MapFitInfo['solver'],
): { params: MapParams; info: MapFitInfo } {
  const linearInTheta = data.growth !== 'logistic' && data.multiplicative.every((v) => v === 0);
  if (solver === 'owlqn') return fitGeneral(data);
  if (solver === 'gauss-newton' || !linearInTheta) return fitGaussNewton(data);
  return fitGram(data);
}

function fitGram(data: MapData): { params: MapParams; info: MapFitInfo } {
  const { t, y, tChange, x, sigmas, growth } = data;
  const n = y.length;
  const s = tChange.length;
  const kk = sigmas.length;
  const p = 2 + kk + s;
  // Column order k, m, β, δ: a point before changepoint j has zeros in every δ column from j on, so each row's
  // nonzero entries form a prefix and the Gram update only touches that prefix.
  const dOff = 2 + kk;
  const gram = new Float64Array(p * p);
  const b = new Float64Array(p);
  let yy = 0;
  const z = new Float64Array(p);
  const flat = growth === 'flat';
  let active = 0;
  for (let i = 0; i < n; i++) {
    const ti = t[i];
    z[0] = flat ? 0 : ti;
    z[1] = 1;
    for (let j = 0; j < kk; j++) z[2 + j] = x[i * kk + j];
    while (!flat && active < s && tChange[active] <= ti) active++;
    for (let j = 0; j < active; j++) z[dOff + j] = ti - tChange[j];
    yy += y[i] * y[i];
    accumulateGram(z, y[i], gram, b, dOff + active);
  }
  symmetrize(gram, p);
  const prior = new Float64Array(p);
  prior[0] = 1 / 25;
  prior[1] = 1 / 25;
  for (let j = 0; j < kk; j++) prior[2 + j] = 1 / (sigmas[j] * sigmas[j]);
  const theta = new Float64Array(p);
  const init = initialTrend(growth, t, y);
  theta[0] = init.k;
  theta[1] = init.m;
  const h = new Float64Array(p * p);
  const lambda = new Float64Array(p);
  let sigma2 = 1;
  let iterations = 0;
  let converged = false;
  for (; iterations < 500; iterations++) {
    // θ | σ: multiply the objective by σ² to get ½θᵀ(G + σ²D)θ − bᵀθ + (σ²/τ)Σ|δ|.
    h.set(gram);
    for (let a = 0; a < p; a++) h[a * p + a] += sigma2 * prior[a];
    for (let j = 0; j < s; j++) lambda[dOff + j] = sigma2 / data.tau;
    solveL1Quadratic(h, b, lambda, theta);
    // σ | θ: ∂/∂σ of 2σ² + n·ln σ + RSS/(2σ²) = 0 ⇔ 4σ⁴ + nσ² − RSS = 0.
    let rss = yy;
    for (let a = 0; a < p; a++) {
      let ga = 0;
      for (let c = 0; c < p; c++) ga += gram[a * p + c] * theta[c];
      rss += theta[a] * ga - 2 * theta[a] * b[a];
    }
    rss = Math.max(rss, 0);
    const next = (-n + Math.sqrt(n * n + 16 * rss)) / 8;
    const change = Math.abs(next - sigma2) / Math.max(next, 1e-300);
    sigma2 = next;
    if (change < 1e-13 || sigma2 === 0) {
      converged = true;
      iterations++;
      break;
    }
  }
  return {
    params: {
      k: flat ? 0 : theta[0],
      m: theta[1],
      delta: flat ? new Float64Array(s) : theta.slice(dOff),
      sigmaObs: Math.sqrt(sigma2),
      beta: theta.slice(2, dOff),
    },
    info: { solver: 'gram-exact', iterations, converged },
  };
}

function fitGeneral(data: MapData): { params: MapParams; info: MapFitInfo } {
  const s = data.tChange.length;
  const kk = data.sigmas.length;
  const p = 3 + s + kk;
  const x0 = new Float64Array(p);
  const init = initialTrend(data.growth, data.t, data.y, data.cap ?? undefined);
  x0[0] = init.k;
  x0[1] = init.m;
  // Index 2 + s holds log σ (0: Prophet starts at σ = 1); the optimum does not depend on this parametrisation.
  const l1 = new Float64Array(p);
  for (let j = 0; j < s; j++) l1[2 + j] = 1 / data.tau;
  const objective = negativeLogPosterior(data);
  const r = minimizeOwlqn(objective, x0, { l1 });
  return {
    params: {
      k: r.x[0],
      m: r.x[1],
      delta: r.x.slice(2, 2 + s),
      sigmaObs: Math.exp(r.x[2 + s]),
      beta: r.x.slice(3 + s),
    },
    info: { solver: 'owlqn', iterations: r.iterations, converged: r.converged },
  };
}

/**
 * The smooth part of Prophet's negative log posterior (everything but the Laplace term, which OWL-QN handles)
 * over x = (k, m, δ₁…δ_S, ln σ, β₁…β_K), with its analytic gradient (for the logistic trend by reverse-mode
 * differentiation through the continuity offsets γ).
 */
export function negativeLogPosterior(data: MapData): (x: Float64Array, grad: Float64Array) => number {
  const { t, y, cap, tChange, x: feat, sigmas, multiplicative, growth } = data;
  const n = y.length;
  const s = tChange.length;
  const kk = sigmas.length;
  const seg = segmentIndices(t, tChange);
  const segA = new Float64Array(s + 1);
  const segAT = new Float64Array(s + 1);
  const segB = new Float64Array(s + 1);
  const kAt = new Float64Array(s + 1);
  const mAt = new Float64Array(s + 1);
  return (v, grad) => {
    grad.fill(0);
    const k = v[0];
    const m = v[1];
    const logSigma = v[2 + s];
    const sigma2 = Math.exp(2 * logSigma);
    const gamma = growth === 'logistic' ? logisticGammas(k, m, v.subarray(2, 2 + s), tChange) : null;
    kAt[0] = k;
    mAt[0] = m;
    for (let j = 0; j < s; j++) {
      kAt[j + 1] = kAt[j] + v[2 + j];
      mAt[j + 1] = mAt[j] + (gamma ? gamma[j] : -tChange[j] * v[2 + j]);
    }
    segA.fill(0);
    segAT.fill(0);
    segB.fill(0);
    let rss = 0;
    const betaOff = 3 + s;
    for (let i = 0; i < n; i++) {
      const ti = t[i];
      const sg = seg[i];
      const kt = growth === 'flat' ? 0 : kAt[sg];
      const mt = growth === 'flat' ? m : mAt[sg];
      let trend: number;
      let logistic = 0;
      if (growth === 'logistic') {
        logistic = 1 / (1 + Math.exp(-kt * (ti - mt)));
        trend = (cap as Float64Array)[i] * logistic;
      } else {
        trend = kt * ti + mt;
      }
      let xm = 0;
      let xa = 0;
      const row = i * kk;
      for (let j = 0; j < kk; j++) {
        const xb = feat[row + j] * v[betaOff + j];
        if (multiplicative[j]) xm += xb;
        else xa += xb;
      }
      const r = y[i] - trend * (1 + xm) - xa;
      rss += r * r;
      const e = -r / sigma2;
      for (let j = 0; j < kk; j++) {
        const fj = feat[row + j];
        if (fj !== 0) grad[betaOff + j] += e * (multiplicative[j] ? trend * fj : fj);
      }
      const u = e * (1 + xm);
      if (growth === 'logistic') {
        const dz = u * (cap as Float64Array)[i] * logistic * (1 - logistic);
        segA[sg] += dz * (ti - mt);
        segB[sg] -= dz * kt;
      } else {
        segA[sg] += u;
        segAT[sg] += u * ti;
      }
    }
    let value = (k * k + m * m) / 50 + 2 * sigma2 + n * logSigma + rss / (2 * sigma2);
    for (let j = 0; j < kk; j++) {
      const bj = v[betaOff + j];
      value += (bj * bj) / (2 * sigmas[j] * sigmas[j]);
      grad[betaOff + j] += bj / (sigmas[j] * sigmas[j]);
    }
    grad[0] = k / 25;
    grad[1] = m / 25;
    grad[2 + s] = n + 4 * sigma2 - rss / sigma2;
    if (growth === 'flat') {
      for (let j = 0; j <= s; j++) grad[1] += segA[j];
      return value;
    }
    // Suffix sums: a changepoint's parameters act on every point at or after it.
    let sufA = 0;
    let sufAT = 0;
    let sufB = 0;
    const sufBAt = new Float64Array(s);
    for (let j = s; j >= 0; j--) {
      sufA += segA[j];
      sufAT += segAT[j];
      sufB += segB[j];
      if (j > 0) {
        if (growth === 'linear') grad[2 + j - 1] += sufAT - tChange[j - 1] * sufA;
        else {
          grad[2 + j - 1] += sufA;
          sufBAt[j - 1] = sufB;
        }
      }
    }
    if (growth === 'linear') {
      grad[0] += sufAT;
      grad[1] += sufA;
      return value;
    }
    grad[0] += sufA;
    grad[1] += sufB;
    // Reverse mode through γ_j = (s_j − m − Σ_{l<j} γ_l)(1 − k_j⁻ / k_j⁺), k_j⁻ = k + Σ_{l<j} δ_l, k_j⁺ = k_j⁻ + δ_j.
    let acc = 0;
    let wSuffix = 0;
    let gammaSum = 0;
    const prefixGamma = new Float64Array(s);
    for (let j = 0; j < s; j++) {
      prefixGamma[j] = gammaSum;
      gammaSum += (gamma as Float64Array)[j];
    }
    for (let j = s - 1; j >= 0; j--) {
      const kPrev = kAt[j];
      const kNext = kAt[j + 1];
      const ratio = kPrev / kNext;
      const c = tChange[j] - m - prefixGamma[j];
      const gBar = sufBAt[j] + acc;
      grad[1] -= gBar * (1 - ratio);
      const dPrev = -c / kNext;
      const dNext = (c * kPrev) / (kNext * kNext);
      // k_j⁺ depends on δ_0…δ_j and k; k_j⁻ on δ_0…δ_{j−1} and k.
      grad[0] += gBar * (dPrev + dNext);
      grad[2 + j] += gBar * dNext + wSuffix;
      wSuffix += gBar * (dPrev + dNext);
      acc -= gBar * (1 - ratio);
    }
    return value;
  };
}
