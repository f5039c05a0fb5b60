import fc from 'fast-check';
import { expect, it } from 'vitest';
import { lastAtOrBelow } from '../../src/profiling/last-at-or-below.js';

it('finds the nearest start at or below an address, for numbers and bigints', () => {
  expect(lastAtOrBelow(Float64Array.of(10, 20, 30), 25)).toBe(1);
  expect(lastAtOrBelow(Float64Array.of(10, 20, 30), 30)).toBe(2);
  expect(lastAtOrBelow(Float64Array.of(10, 20, 30), 9)).toBe(-1);
  expect(lastAtOrBelow(new Float64Array(0), 9)).toBe(-1);
  expect(lastAtOrBelow(BigUint64Array.of(10n, 20n), 5n)).toBe(-1);
  expect(lastAtOrBelow(BigUint64Array.of(10n, 20n), 2n ** 63n)).toBe(1);
});

it('agrees with a linear scan', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 1000 })), fc.integer({ min: -5, max: 1005 }), (xs, x) => {
      const sorted = Float64Array.from(xs).sort();
      let expected = -1;
      for (let i = 0; i < sorted.length; i++) if (sorted[i] <= x) expected = i;
      expect(lastAtOrBelow(sorted, x)).toBe(expected);
    }),
  );
});
