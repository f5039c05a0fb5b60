import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RollingWindow } from '../../src/statistical/rolling-window.js';
import { medianInPlace } from '../../src/statistical/select.js';
import { SortedWindow } from '../../src/statistical/sorted-window.js';

// The statistics the MAD detector computed before the window was kept sorted: quickselect over a copy.
function reference(values: ArrayLike<number>): { median: number; mad: number } {
  const v = Float64Array.from(values);
  const median = medianInPlace(v, v.length);
  for (let i = 0; i < v.length; i++) v[i] = Math.abs(v[i] - median);
  return { median, mad: medianInPlace(v, v.length) };
}

// Small integers give many ties (the hard case for the sorted run); doubles give distinct values.
const value = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.double({ min: -1e6, max: 1e6, noNaN: true }));

describe('SortedWindow', () => {
  it('gives the median and MAD of a selection over a copy, bit for bit, as values stream through (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(value, { minLength: 1, maxLength: 300 }),
        (cap, xs) => {
          const sorted = new SortedWindow(cap);
          const ring = new RollingWindow(cap);
          for (const x of xs) {
            sorted.push(x);
            ring.push(x);
            const held = ring.toArray();
            const r = reference(held);
            const median = sorted.median();
            if (!Object.is(median, r.median) && median !== r.median) return false;
            if (sorted.medianDeviation(median) !== r.mad) return false;
            if (sorted.toArray().join() !== held.join()) return false;
            const ascending = [...held].sort((a, b) => a - b);
            for (let k = 0; k < held.length; k++) if (sorted.kth(k) !== ascending[k]) return false;
          }
          return true;
        },
      ),
      { numRuns: 300 },
    );
  });

  it('restores from its values in insertion order and evicts the oldest first', () => {
    const w = new SortedWindow(3, [9, 5, 1, 4]);
    expect(w.toArray()).toEqual([5, 1, 4]);
    expect(w.median()).toBe(4);
    w.push(2); // evicts 5
    expect(w.toArray()).toEqual([1, 4, 2]);
    expect([w.kth(0), w.kth(1), w.kth(2)]).toEqual([1, 2, 4]);
    expect(w.median()).toBe(2);
    // |1 − 2|, |4 − 2|, |2 − 2| → 1, 2, 0: the median deviation is 1.
    expect(w.medianDeviation(2)).toBe(1);
    expect(new SortedWindow(4).median()).toBeNaN();
  });
});

describe('RollingWindow', () => {
  it('holds the last `capacity` values in order while its buffer grows from a little room to the capacity', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3000 }),
        fc.array(fc.double({ noNaN: true }), { maxLength: 5000 }),
        fc.array(fc.double({ noNaN: true }), { maxLength: 600 }),
        (capacity, pushed, initial) => {
          const w = new RollingWindow(capacity, initial);
          for (const x of pushed) w.push(x);
          const all = [...initial, ...pushed];
          const expected = all.slice(Math.max(0, all.length - capacity));
          expect(w.size).toBe(expected.length);
          expect(w.toArray()).toEqual(expected);
          expect(w.oldest).toBe(expected.length > 0 ? expected[0] : Number.NaN);
        },
      ),
      { seed: 11, numRuns: 200 },
    );
  });
});
