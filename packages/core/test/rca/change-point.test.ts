import { describe, expect, it } from 'vitest';
import { estimateChange, lowerBound } from '../../src/rca/change-point.js';
import { crossCorrelation, leadLag } from '../../src/rca/cross-correlation.js';
import { holdOnGrid, medianStep } from '../../src/rca/resample.js';
import { MIN, shifted } from './fixtures.js';

describe('estimateChange', () => {
  it('finds a noisy step where it happened, not where a detector flagged it', () => {
    const s = shifted(11, 50, 2, 120, 5);
    const c = estimateChange(s.timestamps, s.values, 124 * MIN, 150 * MIN)!;
    expect(c.onset).toBe(120 * MIN);
    expect(c.baseline).toBeCloseTo(50, 0);
    expect(Math.abs(c.level - 60)).toBeLessThan(1.5); // the median of 30 noisy points
    // The s.d. is 2, so a 10-unit shift is about 5 baseline deviations (MAD × 1.4826 estimates the s.d.).
    expect(c.z).toBeGreaterThan(3.5);
    expect(c.z).toBeLessThan(7);
  });

  it('reads a drop as a negative change and measures a flat baseline against the change itself', () => {
    const timestamps = Float64Array.from({ length: 40 }, (_, i) => i);
    const values = Float64Array.from({ length: 40 }, (_, i) => (i >= 30 ? 0 : 8));
    const c = estimateChange(timestamps, values, 31, 39)!;
    expect(c).toMatchObject({ onset: 30, baseline: 8, level: 0 });
    expect(c.z).toBeCloseTo(-1000, 6);
  });

  it('skips missing values and gives up on too little data', () => {
    const timestamps = Float64Array.from({ length: 40 }, (_, i) => i);
    const values = Float64Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? Number.NaN : i >= 20 ? 9 : 1));
    expect(estimateChange(timestamps, values, 22, 30)!.onset).toBe(20);
    expect(estimateChange([0, 1], [1, 2], 1, 1)).toBeUndefined();
  });

  it('lowerBound is a binary search for the first timestamp at or after t', () => {
    expect(lowerBound([1, 3, 5], 3)).toBe(1);
    expect(lowerBound([1, 3, 5], 4)).toBe(2);
    expect(lowerBound([1, 3, 5], 9)).toBe(3);
  });
});

describe('cross-correlation and lead–lag', () => {
  it('matches hand-computed correlations', () => {
    expect(crossCorrelation([1, 2, 3, 4], [2, 4, 6, 8], 0)).toBeCloseTo(1, 12);
    expect(crossCorrelation([1, 2, 3, 4], [8, 6, 4, 2], 0)).toBeCloseTo(-1, 12);
    // x = [1, 2, 4, 3] against y one step later: pairs (1,1) (2,3) (4,2); deviations (−4/3, −1/3, 5/3) and
    // (−1, 1, 0) give cov 1, Sxx 14/3, Syy 2, so r = 1 / √(28/3).
    expect(crossCorrelation([1, 2, 4, 3], [0, 1, 3, 2], 1)).toBeCloseTo(1 / Math.sqrt(28 / 3), 12);
    expect(Number.isNaN(crossCorrelation([1, 1, 1], [1, 2, 3], 0))).toBe(true);
  });

  it('finds the delay between a spike and its echo, in either direction', () => {
    expect(leadLag([0, 0, 5, 0, 0, 0, 0], [0, 0, 0, 0, 5, 0, 0], 3)).toMatchObject({ lag: 2, n: 7 });
    expect(leadLag([0, 0, 0, 0, 5, 0, 0], [0, 0, 5, 0, 0, 0, 0], 3).lag).toBe(-2);
    expect(leadLag([0, 0, 5, Number.NaN, 0, 0, 1], [0, 0, 5, 0, 0, 0, 1], 3)).toMatchObject({ lag: 0, n: 6 });
  });

  it('puts series sampled at different moments on one grid', () => {
    const g = holdOnGrid([5_000, 65_000, 190_000], [1, 2, 3], 0, MIN, 4);
    expect([...g]).toEqual([Number.NaN, 1, 2, Number.NaN]);
    expect(medianStep([0, 60_000, 120_000, 200_000])).toBe(60_000);
  });
});
