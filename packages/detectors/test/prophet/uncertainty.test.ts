import { createRng } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import { simulateIntervals } from '../../src/prophet/uncertainty.js';

describe('simulateIntervals', () => {
  const base = {
    growth: 'linear' as const,
    k: 1,
    m: 0,
    delta: Float64Array.of(0.5, -0.5),
    tChange: Float64Array.of(0.3, 0.6),
    sigmaObs: 0.1,
    yScale: 10,
    intervalWidth: 0.8,
  };

  it('reduces to the noise quantiles when no trend change can occur (flat growth)', () => {
    const n = 5;
    const band = simulateIntervals(
      {
        ...base,
        growth: 'flat',
        t: Float64Array.of(1.1, 1.2, 1.3, 1.4, 1.5),
        tMax: 1.5,
        floor: new Float64Array(n),
        cap: null,
        multiplicative: new Float64Array(n),
        additive: new Float64Array(n),
        samples: 20_000,
      },
      createRng(1),
    );
    // Trend is m·yScale = 0, noise sd σ·yScale = 1: the 10% and 90% quantiles are ∓1.2816.
    for (let i = 0; i < n; i++) {
      expect(band.lower[i]).toBeCloseTo(-1.2816, 1);
      expect(band.upper[i]).toBeCloseTo(1.2816, 1);
    }
  });

  it('widens with the horizon as simulated changepoints accumulate, and is reproducible under a seed', () => {
    const t = Float64Array.from({ length: 50 }, (_, i) => 1 + (i + 1) / 50);
    const input = {
      ...base,
      t,
      tMax: 2,
      floor: new Float64Array(50),
      cap: null,
      multiplicative: new Float64Array(50),
      additive: new Float64Array(50),
      samples: 2000,
    };
    const a = simulateIntervals(input, createRng(3));
    const b = simulateIntervals(input, createRng(3));
    expect(b.lower).toEqual(a.lower);
    expect(a.upper[49] - a.lower[49]).toBeGreaterThan(1.5 * (a.upper[0] - a.lower[0]));
  });
});
