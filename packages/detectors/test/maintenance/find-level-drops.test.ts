import { createRng } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import { findLevelDrops } from '../../src/maintenance/find-level-drops.js';

describe('findLevelDrops', () => {
  it('reports a lasting fall once, at its sharpest index', () => {
    expect(findLevelDrops([10, 11, 10, 11, 10, 11, 0, 1, 0, 1, 0, 1])).toEqual([6]);
  });

  it('ignores a single low outlier (medians of three)', () => {
    expect(findLevelDrops([10, 11, 10, 11, 0, 11, 10, 11, 10, 11])).toEqual([]);
  });

  it('finds restarts of a rising floor but not its noise', () => {
    const rng = createRng(9);
    const floor = Float64Array.from({ length: 90 }, (_, i) => (i % 30) * 0.5 + 0.5 * rng.normal());
    expect(findLevelDrops(floor)).toEqual([30, 60]);
  });

  it('needs six values', () => {
    expect(findLevelDrops([5, 5, 5, 0, 0])).toEqual([]);
  });
});
