import { createRng } from '@vigil/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { theilSen } from '../../src/maintenance/theil-sen.js';

describe('theilSen', () => {
  it('takes the median pairwise slope, the median offset and Sen’s order-statistic interval (by hand)', () => {
    // Slopes: 2, 0.5, 4/3, −1, 1, 3 → sorted −1, 0.5, 1, 4/3, 2, 3; median 7/6.
    // Offsets y − 7/6·x: −1/6, 2/3, −3/2, 1/3 → median 1/12.
    // Var(S) = 4·3·13/18 = 8.667, C = 1.96·2.944 = 5.77, M1 = 0.12 → 1st, M2 + 1 → 6th: [−1, 3].
    const fit = theilSen([1, 2, 3, 4], [1, 3, 2, 5]);
    expect(fit.slope).toBeCloseTo(7 / 6, 12);
    expect(fit.intercept).toBeCloseTo(1 / 12, 12);
    expect(fit.lower).toBe(-1);
    expect(fit.upper).toBe(3);
    expect(fit.pairs).toBe(6);
  });

  it('ignores a gross outlier that would drag least squares', () => {
    const x = Array.from({ length: 20 }, (_, i) => i);
    const y = x.map((v) => 3 + 2 * v);
    y[19] = 1000;
    expect(theilSen(x, y).slope).toBe(2);
  });

  it('covers the true slope about 95 % of the time', () => {
    const rng = createRng(11);
    let covered = 0;
    const runs = 300;
    for (let r = 0; r < runs; r++) {
      const x = Array.from({ length: 30 }, (_, i) => i);
      const fit = theilSen(
        x,
        x.map((v) => 2 * v + rng.normal() * 3),
      );
      if (fit.lower <= 2 && fit.upper >= 2) covered++;
    }
    expect(covered / runs).toBeGreaterThan(0.91);
    expect(covered / runs).toBeLessThan(0.99);
  });

  it('only pairs points inside a group, so a reset between groups does not bias the slope', () => {
    const x = [0, 1, 2, 3, 4, 5, 6, 7];
    const y = [10, 11, 12, 13, 0, 1, 2, 3];
    expect(theilSen(x, y).slope).toBeLessThan(0);
    expect(theilSen(x, y, { groups: [0, 0, 0, 0, 1, 1, 1, 1] }).slope).toBe(1);
  });

  it('widens the interval with the variance inflation', () => {
    const rng = createRng(3);
    const x = Array.from({ length: 50 }, (_, i) => i);
    const y = x.map((v) => v + 5 * rng.normal());
    const plain = theilSen(x, y);
    const inflated = theilSen(x, y, { varianceInflation: 4 });
    expect(inflated.upper - inflated.lower).toBeGreaterThan(1.5 * (plain.upper - plain.lower));
  });

  it('is equivariant: y → a + b·x + c·y gives slope b + c·slope', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 3, maxLength: 30 }),
        fc.double({ min: -10, max: 10, noNaN: true }),
        fc.double({ min: 0.1, max: 10, noNaN: true }),
        (ys, b, c) => {
          const x = ys.map((_, i) => i);
          const base = theilSen(x, ys).slope;
          const moved = theilSen(
            x,
            ys.map((v, i) => 7 + b * i + c * v),
          ).slope;
          expect(moved).toBeCloseTo(b + c * base, 6);
        },
      ),
    );
  });

  it('throws typed errors for unusable input', () => {
    expect(() => theilSen([1], [1])).toThrow(expect.objectContaining({ code: 'TOO_SHORT' }));
    expect(() => theilSen([1, 2], [1])).toThrow(expect.objectContaining({ code: 'LENGTH_MISMATCH' }));
    expect(() => theilSen([1, 2], [1, 2], { alpha: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
    expect(() => theilSen([1, 2], [1, 2], { varianceInflation: 0.5 })).toThrow(
      expect.objectContaining({ field: 'options.varianceInflation' }),
    );
  });
});
