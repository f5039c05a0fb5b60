/**
 * MAP fit of Prophet's model when the mean is not linear in the parameters (logistic trend, multiplicative
 * components): proximal Gauss–Newton. Each iteration linearises the mean around θ (one pass over the data forms
 * JᵀJ and Jᵀr), solves the resulting lasso exactly on the small p × p system (feature-sign search), backtracks on the
 * true posterior, then updates σ in closed form. Its fixed points are exactly the MAP's stationary points, because
 * the gradient Jᵀr/σ² is exact; only the curvature is approximated (Nocedal & Wright 2006, §10.3; Lee, Sun & Saunders
 * 2014, "Proximal Newton-type methods").
 */

import { accumulateGram, solveL1Quadratic, symmetrize } from './lasso-gram.js';
import type { MapData, MapFitInfo, MapParams } from './map-types.js';
import { initialTrend, logisticGammas, segmentIndices } from './trend.js';

/** Fits by proximal Gauss–Newton; deterministic. */
export function fitGaussNewton(data: MapData): { params: MapParams; info: MapFitInfo } {
  const { t, y, cap, tChange, x, sigmas, multiplicative, growth, tau } = data;
  const n = y.length;
  const s = tChange.length;
  const kk = sigmas.length;
  const pT = s + 2;
  const p = pT + kk;
  const prior = new Float64Array(p);
  prior[0] = 1 / 25;
  prior[1] = 1 / 25;
  for (let j = 0; j < kk; j++) prior[pT + j] = 1 / (sigmas[j] * sigmas[j]);
  const seg = segmentIndices(t, tChange);

  // Per segment: slope k_t and offset m_t, and (logistic) d m_t / d(k, m, δ) as rows of length pT.
  const kAt = new Float64Array(s + 1);
  const mAt = new Float64Array(s + 1);
  const dmAt = new Float64Array((s + 1) * pT);
  const setTrend = (theta: Float64Array): boolean => {
    const k = theta[0];
    const m = theta[1];
    kAt[0] = k;
    mAt[0] = m;
    if (growth !== 'logistic') {
      for (let j = 0; j < s; j++) {
        kAt[j + 1] = kAt[j] + theta[2 + j];
        mAt[j + 1] = mAt[j] - tChange[j] * theta[2 + j];
      }
      return true;
    }
    const gamma = logisticGammas(k, m, theta.subarray(2, 2 + s), tChange);
    dmAt.fill(0);
    dmAt[1] = 1;
    // Forward-mode derivatives of γ_j = (s_j − m − Γ_j)(1 − k_j⁻/k_j⁺), accumulated into m_t = m + Γ.
    const dPrev = new Float64Array(pT);
    dPrev[0] = 1;
    for (let j = 0; j < s; j++) {
      const kPrev = kAt[j];
      const kNext = kPrev + theta[2 + j];
      kAt[j + 1] = kNext;
      mAt[j + 1] = mAt[j] + gamma[j];
      const c = tChange[j] - mAt[j];
      const ratio = kPrev / kNext;
      const row = j * pT;
      const next = (j + 1) * pT;
      for (let q = 0; q < pT; q++) {
        const dNext = dPrev[q] + (q === 2 + j ? 1 : 0);
        const dRatio = dPrev[q] / kNext - (kPrev * dNext) / (kNext * kNext);
        // d c = −d m_t(segment j); d γ = −(1 − ρ)·d m_t − c·d ρ.
        const dGamma = -(1 - ratio) * dmAt[row + q] - c * dRatio;
        dmAt[next + q] = dmAt[row + q] + dGamma;
      }
      dPrev[2 + j] += 1;
    }
    for (let q = 0; q <= s; q++) if (!Number.isFinite(kAt[q]) || !Number.isFinite(mAt[q])) return false;
    return true;
  };

  const mean = (theta: Float64Array, i: number, out: { trend: number; w: number; xa: number }) => {
    const sg = seg[i];
    const ti = t[i];
    if (growth === 'flat') out.trend = theta[1];
    else if (growth === 'logistic')
      out.trend = (cap as Float64Array)[i] / (1 + Math.exp(-kAt[sg] * (ti - mAt[sg])));
    else out.trend = kAt[sg] * ti + mAt[sg];
    let xm = 0;
    let xa = 0;
    const row = i * kk;
    for (let j = 0; j < kk; j++) {
      const v = x[row + j] * theta[pT + j];
      if (multiplicative[j]) xm += v;
      else xa += v;
    }
    out.w = 1 + xm;
    out.xa = xa;
  };
  const tmp = { trend: 0, w: 0, xa: 0 };
  const rss = (theta: Float64Array): number => {
    if (!setTrend(theta)) return Number.POSITIVE_INFINITY;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      mean(theta, i, tmp);
      const r = y[i] - tmp.trend * tmp.w - tmp.xa;
      sum += r * r;
    }
    return Number.isFinite(sum) ? sum : Number.POSITIVE_INFINITY;
  };
  const posterior = (theta: Float64Array, sigma2: number, rssValue: number): number => {
    let v = 2 * sigma2 + 0.5 * n * Math.log(sigma2) + rssValue / (2 * sigma2);
    for (let j = 0; j < p; j++) v += 0.5 * prior[j] * theta[j] * theta[j];
    for (let j = 0; j < s; j++) v += Math.abs(theta[2 + j]) / tau;
    return v;
  };
  const sigmaFor = (rssValue: number) => Math.max((-n + Math.sqrt(n * n + 16 * rssValue)) / 8, 1e-300);

  const theta = new Float64Array(p);
  const init = initialTrend(growth, t, y, cap ?? undefined);
  theta[0] = init.k;
  theta[1] = init.m;
  let currentRss = rss(theta);
  let sigma2 = sigmaFor(currentRss);
  let value = posterior(theta, sigma2, currentRss);
  const jtj = new Float64Array(p * p);
  const jtr = new Float64Array(p);
  const row = new Float64Array(p);
  const lambda = new Float64Array(p);
  const h = new Float64Array(p * p);
  const b = new Float64Array(p);
  const trial = new Float64Array(p);
  let iterations = 0;
  let converged = false;
  for (; iterations < 500; iterations++) {
    setTrend(theta);
    jtj.fill(0);
    jtr.fill(0);
    for (let i = 0; i < n; i++) {
      mean(theta, i, tmp);
      const r = y[i] - tmp.trend * tmp.w - tmp.xa;
      const ti = t[i];
      const sg = seg[i];
      row.fill(0, 0, pT);
      if (growth === 'linear') {
        row[0] = ti * tmp.w;
        row[1] = tmp.w;
        for (let j = 0; j < sg; j++) row[2 + j] = (ti - tChange[j]) * tmp.w;
      } else if (growth === 'flat') {
        row[1] = tmp.w;
      } else {
        const ci = (cap as Float64Array)[i];
        const l = tmp.trend / ci;
        const dz = ci * l * (1 - l) * tmp.w;
        const a = dz * (ti - mAt[sg]);
        const bm = -dz * kAt[sg];
        const dm = sg * pT;
        for (let q = 0; q < pT; q++) row[q] = bm * dmAt[dm + q];
        row[0] += a;
        for (let j = 0; j < sg; j++) row[2 + j] += a;
      }
      const xr = i * kk;
      for (let j = 0; j < kk; j++) row[pT + j] = multiplicative[j] ? tmp.trend * x[xr + j] : x[xr + j];
      accumulateGram(row, r, jtj, jtr);
    }
    symmetrize(jtj, p);
    // The linearised problem, multiplied by σ²: ½vᵀ(JᵀJ + σ²D)v − vᵀ(JᵀJθ + Jᵀr) + (σ²/τ)Σ|v_δ|.
    h.set(jtj);
    for (let a = 0; a < p; a++) {
      h[a * p + a] += sigma2 * prior[a];
      let s2 = jtr[a];
      for (let c = 0; c < p; c++) s2 += jtj[a * p + c] * theta[c];
      b[a] = s2;
    }
    for (let j = 0; j < s; j++) lambda[2 + j] = sigma2 / tau;
    const target = Float64Array.from(theta);
    solveL1Quadratic(h, b, lambda, target);
    let step = 1;
    let accepted = false;
    let trialRss = currentRss;
    for (let ls = 0; ls < 40; ls++) {
      for (let j = 0; j < p; j++) trial[j] = theta[j] + step * (target[j] - theta[j]);
      trialRss = rss(trial);
      if (posterior(trial, sigma2, trialRss) <= posterior(theta, sigma2, currentRss)) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) {
      converged = true;
      break;
    }
    let moved = 0;
    for (let j = 0; j < p; j++) moved = Math.max(moved, Math.abs(trial[j] - theta[j]));
    theta.set(trial);
    currentRss = trialRss;
    sigma2 = sigmaFor(currentRss);
    const next = posterior(theta, sigma2, currentRss);
    const rel = (value - next) / Math.max(Math.abs(value), Math.abs(next), 1);
    value = next;
    if (rel < 1e-13 && moved < 1e-9) {
      converged = true;
      iterations++;
      break;
    }
  }
  return {
    params: {
      k: theta[0],
      m: theta[1],
      delta: theta.slice(2, 2 + s),
      sigmaObs: Math.sqrt(sigma2),
      beta: theta.slice(pT),
    },
    info: { solver: 'gauss-newton', iterations, converged },
  };
}
