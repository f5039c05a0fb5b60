import fc from 'fast-check';
import { median } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import { medianInPlace, selectKth } from '../../src/statistical/select.js';

describe('selection', () => {
  it('medianInPlace agrees with simple-statistics median', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 200 }), (xs) => {
        return medianInPlace(Float64Array.from(xs), xs.length) === median(xs);
      }),
    );
    expect(medianInPlace(Float64Array.of(3, 1, 2, 10), 4)).toBe(2.5);
  });

  it('selectKth returns the k-th order statistic', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 100 }),
        fc.nat(),
        (xs, k0) => {
          const k = k0 % xs.length;
          const sorted = [...xs].sort((a, b) => a - b);
          return selectKth(Float64Array.from(xs), xs.length, k) === sorted[k];
        },
      ),
    );
  });
});
