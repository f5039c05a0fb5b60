import { createRng } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import { dropThreshold, findDrops } from '../../src/maintenance/find-drops.js';

describe('findDrops', () => {
  it('finds a sawtooth reset and reports its size', () => {
    expect(findDrops([0, 1, 2, 3, 0.5, 1.5, 2.5])).toEqual([{ from: 3, to: 4, amount: 2.5 }]);
  });

  it('merges a clean-up spread over consecutive samples into one drop and skips NaN', () => {
    const drops = findDrops([0, 1, 2, 3, 4, 2, Number.NaN, 1, 2, 3]);
    expect(drops).toEqual([{ from: 4, to: 7, amount: 3 }]);
  });

  it('finds no drop in noisy growth', () => {
    const rng = createRng(5);
    const y = Float64Array.from({ length: 2000 }, (_, i) => 0.01 * i + rng.normal());
    expect(findDrops(y)).toEqual([]);
  });

  it('defaults the threshold to 6 robust σ of the differences or 2 % of the range', () => {
    expect(dropThreshold([0, 1, 2, 3, 0, 1, 2, 3])).toBeCloseTo(0.06, 12);
    // Differences ±1 alternating around 0: MAD = 1, so 6·1.4826 = 8.8956 beats 2 % of the range.
    expect(dropThreshold([0, 1, 0, 1, 0, 1, 0])).toBeCloseTo(6 * 1.4826, 12);
  });

  it('honours an explicit threshold', () => {
    expect(findDrops([0, 5, 4, 9], { threshold: 0.5 })).toHaveLength(1);
    expect(findDrops([0, 5, 4, 9], { threshold: 2 })).toHaveLength(0);
  });
});
