/**
 * Prophet's predictive uncertainty (Taylor & Letham 2017, §3.1.4; facebook/prophet `sample_predictive_trend`,
 * `sample_model`): beyond the history, future trend changes arrive as a Poisson process with the historical
 * changepoint rate, with Laplace-distributed sizes whose scale is the mean |δ| of the fit; observation noise
 * N(0, σ) is added to every simulated path and the interval is read off the empirical quantiles.
 */
import { quantileSorted, type Rng } from '@vigil/core';
import { evaluateTrend, type Growth, logisticGammas } from './trend.js';

/** Inputs of {@link simulateIntervals}, all trend quantities in scaled units. */
export interface SimulationInput {
  readonly growth: Growth;
  readonly k: number;
  readonly m: number;
  readonly delta: Float64Array;
  readonly tChange: Float64Array;
  readonly sigmaObs: number;
  readonly yScale: number;
  /** Scaled times of the points to simulate, increasing. */
  readonly t: Float64Array;
  /** Largest scaled time of the whole request: new changepoints fall in (1, tMax]. */
  readonly tMax: number;
  /** Per point: floor (added back to the trend), scaled cap (logistic), multiplicative and additive terms. */
  readonly floor: Float64Array;
  readonly cap: Float64Array | null;
  readonly multiplicative: Float64Array;
  readonly additive: Float64Array;
  readonly samples: number;
  readonly intervalWidth: number;
}

/**
 * Simulates `samples` paths over the points of `input` and returns the lower and upper quantiles
 * (1 ∓ intervalWidth)/2 per point. Memory is O(samples × simulated changepoints), never O(samples × points).
 */
export function simulateIntervals(
  input: SimulationInput,
  rng: Rng,
): { lower: Float64Array; upper: Float64Array } {
  const { growth, t, samples, tChange, delta } = input;
  const n = t.length;
  const lower = new Float64Array(n);
  const upper = new Float64Array(n);
  if (n === 0) return { lower, upper };
  const span = Math.max(input.tMax - 1, 0);
  let meanAbs = 0;
  for (let j = 0; j < delta.length; j++) meanAbs += Math.abs(delta[j]);
  const lambda = meanAbs / Math.max(delta.length, 1) + 1e-8;
  // Every new changepoint falls after the last historical one, so a path equals the fitted trend until its first
  // new changepoint and continues from the fitted last segment (slope kEnd, offset mEnd) after it.
  const base = evaluateTrend(growth, t, input.k, input.m, delta, tChange, input.cap ?? undefined);
  let kEnd = input.k;
  let mEnd = input.m;
  const gamma = growth === 'logistic' ? logisticGammas(input.k, input.m, delta, tChange) : null;
  for (let j = 0; j < tChange.length; j++) {
    kEnd += delta[j];
    mEnd += gamma ? gamma[j] : -tChange[j] * delta[j];
  }
  // The new changepoints of every path, flat: path s owns [from[s], from[s + 1]) of cps, kSeg and mSeg. Scratch
  // shared by every call (simulation is synchronous), so a streamed point allocates nothing per path.
  const ints = intScratch(2 * samples + 1);
  const from = ints;
  let used = 0;
  for (let s = 0; s < samples; s++) {
    from[s] = used;
    const nNew = growth === 'flat' || span === 0 ? 0 : poisson(tChange.length * span, rng);
    if (nNew === 0) continue;
    const { cps, kSeg, mSeg } = pathScratch(used + nNew);
    for (let j = 0; j < nNew; j++) cps[used + j] = 1 + rng.next() * span;
    sortRange(cps, used, used + nNew);
    let k = kEnd;
    let m = mEnd;
    for (let j = used; j < used + nNew; j++) {
      const d = laplace(lambda, rng);
      // Linear: keep the line continuous; logistic: the offset γ of Taylor & Letham eq. 2.
      m += growth === 'logistic' ? (cps[j] - m) * (1 - k / (k + d)) : -cps[j] * d;
      k += d;
      kSeg[j] = k;
      mSeg[j] = m;
    }
    used += nNew;
  }
  from[samples] = used;
  const { cps, kSeg, mSeg } = pathScratch(used);
  // pointer[s]: how many of path s's changepoints lie at or before the current point.
  const pointer = ints.subarray(samples + 1, 2 * samples + 1).fill(0);
  const draws = new Float64Array(samples);
  const lo = (1 - input.intervalWidth) / 2;
  const hi = 1 - lo;
  const noise = input.sigmaObs * input.yScale;
  for (let i = 0; i < n; i++) {
    const ti = t[i];
    const scale = 1 + input.multiplicative[i];
    for (let s = 0; s < samples; s++) {
      const first = from[s];
      const end = from[s + 1];
      let j = pointer[s];
      while (first + j < end && cps[first + j] <= ti) j++;
      pointer[s] = j;
      let trend = base[i];
      if (j > 0) {
        const kt = kSeg[first + j - 1];
        const mt = mSeg[first + j - 1];
        trend =
          growth === 'logistic'
            ? (input.cap as Float64Array)[i] / (1 + Math.exp(-kt * (ti - mt)))
            : kt * ti + mt;
      }
      draws[s] = (trend * input.yScale + input.floor[i]) * scale + input.additive[i] + noise * rng.normal();
    }
    draws.sort();
    lower[i] = quantileSorted(draws, lo);
    upper[i] = quantileSorted(draws, hi);
  }
  return { lower, upper };
}

let ints = new Int32Array(256);
let paths = { cps: new Float64Array(1024), kSeg: new Float64Array(1024), mSeg: new Float64Array(1024) };

function intScratch(n: number): Int32Array {
  if (ints.length < n) ints = new Int32Array(Math.max(n, 2 * ints.length));
  return ints;
}

// Grows the flat path buffers to hold n entries, keeping what they hold.
function pathScratch(n: number): typeof paths {
  if (paths.cps.length >= n) return paths;
  const size = Math.max(n, 2 * paths.cps.length);
  const grow = (a: Float64Array) => {
    const b = new Float64Array(size);
    b.set(a);
    return b;
  };
  paths = { cps: grow(paths.cps), kSeg: grow(paths.kSeg), mSeg: grow(paths.mSeg) };
  return paths;
}

// Ascending insertion sort of a[from, to): the few new changepoints of one path (the same order a typed-array sort
// gives: the values are finite and > 1, so no NaN or signed zero to tell apart).
function sortRange(a: Float64Array, from: number, to: number): void {
  for (let i = from + 1; i < to; i++) {
    const x = a[i];
    let j = i - 1;
    while (j >= from && a[j] > x) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = x;
  }
}

// Poisson deviate by Knuth's product method, in chunks of mean ≤ 30 (a sum of Poissons is Poisson).
function poisson(mean: number, rng: Rng): number {
  let total = 0;
  let rest = mean;
  while (rest > 0) {
    const chunk = Math.min(rest, 30);
    rest -= chunk;
    const limit = Math.exp(-chunk);
    let prod = rng.next();
    while (prod > limit) {
      total++;
      prod *= rng.next();
    }
  }
  return total;
}

// Laplace(0, b) by inversion of its CDF.
function laplace(b: number, rng: Rng): number {
  const u = rng.next() - 0.5;
  return -b * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
}
