/**
 * Prophet's trend models on scaled time t ∈ [0, 1] over the history (Taylor & Letham 2017, §3.1;
 * facebook/prophet `prophet.stan` functions `linear_trend`, `logistic_trend`, `flat_trend`).
 */

/** Which trend model: piecewise linear (default), piecewise logistic saturating at `cap`, or a constant. */
export type Growth = 'linear' | 'logistic' | 'flat';

/**
 * Indices of the potential changepoints among `n` history points: `nChangepoints` points evenly spread over the
 * first `changepointRange` of the history, the first point excluded (Prophet's `set_changepoints`:
 * `linspace(0, hist_size − 1, n + 1).round()[1:]`). Fewer when the history is short.
 */
export function changepointIndices(n: number, nChangepoints: number, changepointRange: number): number[] {
  const histSize = Math.floor(n * changepointRange);
  const count = Math.min(nChangepoints, histSize - 1);
  const out: number[] = [];
  if (count <= 0) return out;
  for (let j = 1; j <= count; j++) out.push(roundHalfEven(((histSize - 1) * j) / count));
  return out;
}

// numpy's round() is round-half-to-even; matching it picks the same changepoints as Prophet.
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Offsets γ_j that keep the logistic trend continuous at each changepoint (Taylor & Letham 2017, eq. 2):
 * γ_j = (s_j − m − Σ_{l<j} γ_l)(1 − k_{j−1}/k_j), with k_j = k + Σ_{l≤j} δ_l.
 */
export function logisticGammas(
  k: number,
  m: number,
  delta: ArrayLike<number>,
  tChange: ArrayLike<number>,
): Float64Array {
  const s = tChange.length;
  const gamma = new Float64Array(s);
  let kPrev = k;
  let sum = 0;
  for (let j = 0; j < s; j++) {
    const kNext = kPrev + delta[j];
    gamma[j] = (tChange[j] - m - sum) * (1 - kPrev / kNext);
    sum += gamma[j];
    kPrev = kNext;
  }
  return gamma;
}

/**
 * Evaluates the scaled trend at sorted or unsorted scaled times `t` (output in scaled y units, before the floor is
 * added back). `cap` is the scaled capacity per point, used only by the logistic trend.
 */
export function evaluateTrend(
  growth: Growth,
  t: ArrayLike<number>,
  k: number,
  m: number,
  delta: ArrayLike<number>,
  tChange: ArrayLike<number>,
  cap?: ArrayLike<number>,
): Float64Array {
  const n = t.length;
  const out = new Float64Array(n);
  if (growth === 'flat') {
    out.fill(m);
    return out;
  }
  const gamma = growth === 'logistic' ? logisticGammas(k, m, delta, tChange) : null;
  for (let i = 0; i < n; i++) {
    const ti = t[i];
    let kt = k;
    let mt = m;
    for (let j = 0; j < tChange.length && tChange[j] <= ti; j++) {
      kt += delta[j];
      mt += gamma ? gamma[j] : -tChange[j] * delta[j];
    }
    out[i] = gamma ? (cap as ArrayLike<number>)[i] / (1 + Math.exp(-kt * (ti - mt))) : kt * ti + mt;
  }
  return out;
}

/**
 * Prophet's starting values for the optimizer: the line through the first and last points (linear), its logistic
 * analogue (`logistic_growth_init`), or the mean (flat). Inputs are scaled.
 */
export function initialTrend(
  growth: Growth,
  t: ArrayLike<number>,
  y: ArrayLike<number>,
  cap?: ArrayLike<number>,
): { k: number; m: number } {
  const last = t.length - 1;
  const span = t[last] - t[0];
  if (growth === 'flat') {
    let sum = 0;
    for (let i = 0; i < y.length; i++) sum += y[i];
    return { k: 0, m: sum / y.length };
  }
  if (growth === 'linear') {
    const k = (y[last] - y[0]) / span;
    return { k, m: y[0] - k * t[0] };
  }
  const c0 = (cap as ArrayLike<number>)[0];
  const c1 = (cap as ArrayLike<number>)[last];
  // Clamp inside (0, cap) so that the logit exists even when y touches or crosses the capacity.
  const y0 = Math.max(0.01 * c0, Math.min(0.99 * c0, y[0]));
  const y1 = Math.max(0.01 * c1, Math.min(0.99 * c1, y[last]));
  let r0 = c0 / y0;
  const r1 = c1 / y1;
  if (Math.abs(r0 - r1) <= 0.01) r0 *= 1.05;
  const l0 = Math.log(r0 - 1);
  const l1 = Math.log(r1 - 1);
  return { k: (l0 - l1) / span, m: (l0 * span) / (l0 - l1) };
}

/** For increasing times `t`, the trend segment of each point: how many changepoints are at or before it. */
export function segmentIndices(t: ArrayLike<number>, tChange: ArrayLike<number>): Int32Array {
  const seg = new Int32Array(t.length);
  for (let i = 0, j = 0; i < t.length; i++) {
    while (j < tChange.length && tChange[j] <= t[i]) j++;
    seg[i] = j;
  }
  return seg;
}
