import { createRng } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import { LstmDetector } from '../../src/lstm/detector.js';
import { STEP_MS } from './fixtures.js';

// cpu and memory sharing one cycle, memory lagging by 3 points; noise independent per column.
function twoColumns(n: number, seed: number, start = 0) {
  const rng = createRng(seed);
  const timestamps = Float64Array.from({ length: n }, (_, i) => (start + i) * STEP_MS);
  const cpu = new Float64Array(n);
  const mem = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const k = start + i;
    cpu[i] = 0.5 + 0.3 * Math.sin((2 * Math.PI * k) / 24) + 0.02 * rng.normal();
    mem[i] = 800 + 100 * Math.sin((2 * Math.PI * (k - 3)) / 24) + 5 * rng.normal();
  }
  return { timestamps, columns: ['cpu', 'mem'], values: [cpu, mem] };
}

describe('LstmDetector on a frame with a multi-step horizon', { timeout: 120_000 }, () => {
  it('forecasts both columns 3 steps ahead and flags a break of their joint pattern', async () => {
    const d = new LstmDetector({
      window: 24,
      units: 16,
      horizon: 3,
      epochs: 25,
      batchSize: 128,
      learningRate: 0.01,
      seed: 2,
      backend: 'wasm',
    });
    await d.fit(twoColumns(400, 1));
    const test = twoColumns(200, 2, 400);
    // Memory jumps by 10σ of its noise at one point, to 825: inside its normal range (700–900), off its cycle.
    test.values[1][120] += 50;
    const s = await d.score(test);
    expect(s.expected).toBeUndefined(); // bands are per series; a frame has one score per point
    expect(s.score).toHaveLength(200);
    expect(s.isAnomaly[120]).toBe(1);
    const others = s.isAnomaly.reduce((a, b) => a + b, 0) - 1;
    expect(others).toBeLessThanOrEqual(3);
    // The stream takes one value per column and drops rows of the wrong arity.
    const p = d.update(600 * STEP_MS, [0.5, 800]);
    expect(p.status).toBe('scored');
    expect(d.update(601 * STEP_MS, [0.5]).status).toBe('dropped');
  });
});
