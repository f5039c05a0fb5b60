import { createRng, type Series } from '@vigil/core';

/** Milliseconds between points of the synthetic series (one minute). */
export const STEP_MS = 60_000;

/**
 * A seeded seasonal series: level 10, a daily-like cycle of `period` points (amplitude 3) plus its third harmonic
 * (amplitude 1), and Gaussian noise of standard deviation `noise`.
 */
export function seasonal(
  n: number,
  seed: number,
  options: { period?: number; noise?: number; start?: number } = {},
): Series {
  const { period = 24, noise = 0.3, start = 0 } = options;
  const rng = createRng(seed);
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const k = start + i;
    timestamps[i] = k * STEP_MS;
    values[i] =
      10 +
      3 * Math.sin((2 * Math.PI * k) / period) +
      Math.sin((6 * Math.PI * k) / period) +
      noise * rng.normal();
  }
  return { timestamps, values };
}

/** Adds `size` to the values at `at` (a copy); returns the series and the set of anomalous indices. */
export function withSpikes(s: Series, at: readonly number[], size: number): Series {
  const values = s.values.slice();
  for (const i of at) values[i] += size;
  return { timestamps: s.timestamps, values };
}

/** Precision and recall of flagged points against the true anomalous indices. */
export function precisionRecall(
  flags: Uint8Array,
  truth: ReadonlySet<number>,
): { precision: number; recall: number } {
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < flags.length; i++) {
    if (!flags[i]) continue;
    if (truth.has(i)) tp++;
    else fp++;
  }
  return { precision: tp + fp === 0 ? 0 : tp / (tp + fp), recall: truth.size === 0 ? 1 : tp / truth.size };
}

/** Adds a linear leak: `slope` per point from index `from` on (a copy). */
export function withLeak(s: Series, from: number, slope: number): Series {
  const values = s.values.map((v, i) => v + (i >= from ? slope * (i - from) : 0));
  return { timestamps: s.timestamps, values };
}

/** Joins consecutive series (their timestamps must continue each other). */
export function concat(a: Series, b: Series): Series {
  const timestamps = new Float64Array(a.timestamps.length + b.timestamps.length);
  const values = new Float64Array(timestamps.length);
  timestamps.set(a.timestamps);
  timestamps.set(b.timestamps, a.timestamps.length);
  values.set(a.values);
  values.set(b.values, a.values.length);
  return { timestamps, values };
}

/** Options of a small network that trains in seconds on 2 shared cores (the detector's defaults are larger). */
export const SMALL = {
  window: 24,
  units: 16,
  epochs: 30,
  batchSize: 128,
  learningRate: 0.01,
  seed: 1,
} as const;

/** A tiny network for tests about plumbing rather than accuracy. */
export const TINY = { window: 8, units: 4, epochs: 3, batchSize: 64, seed: 7 } as const;
