import { createRng, type Series, seriesFromStep } from '@vigil/core';

/** 5-minute data with a daily cycle of `amplitude` (period 288 points) and Gaussian noise of s.d. `noise`. */
export function seasonal(n: number, seed: number, noise = 1, amplitude = 10): Series {
  const rng = createRng(seed);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++)
    v[i] = 50 + amplitude * Math.sin((2 * Math.PI * i) / 288) + noise * rng.normal();
  return seriesFromStep(Date.UTC(2026, 0, 1), 300_000, v);
}

/** Adds `count` spikes of ±(6…10)·noise at seeded positions at least 40 points apart in [from, n); returns them. */
export function injectSpikes(s: Series, count: number, seed: number, from: number, noise = 1): number[] {
  const rng = createRng(seed);
  const at: number[] = [];
  while (at.length < count) {
    const i = from + rng.int(s.values.length - from);
    if (at.every((j) => Math.abs(j - i) >= 40)) at.push(i);
  }
  for (const i of at) s.values[i] += (rng.next() < 0.5 ? -1 : 1) * noise * (6 + 4 * rng.next());
  return at.sort((a, b) => a - b);
}
