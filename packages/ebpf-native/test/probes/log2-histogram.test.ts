import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addToSlot,
  countAtLeast,
  emptyLog2Histogram,
  log2Quantile,
  sameHistogram,
  subtractHistograms,
} from '../../src/probes/log2-histogram.js';

describe('log2 histograms', () => {
  it('tells equal histograms from ones that differ in any slot', () => {
    const a = emptyLog2Histogram();
    const b = emptyLog2Histogram();
    expect(sameHistogram(a, b)).toBe(true);
    expect(sameHistogram(a, undefined)).toBe(false);
    addToSlot(a, 63, 1);
    expect(sameHistogram(a, b)).toBe(false);
    addToSlot(b, 62, 1);
    expect(sameHistogram(a, b)).toBe(false); // same total, another slot
    addToSlot(a, 62, 1);
    addToSlot(b, 63, 1);
    expect(sameHistogram(a, b)).toBe(true);
  });

  it('interpolates quantiles inside a power-of-two slot (checkable by hand)', () => {
    const h = emptyLog2Histogram();
    addToSlot(h, 10, 4); // four samples in [1024, 2048)
    expect(log2Quantile(h, 0.5)).toBe(1536);
    expect(log2Quantile(h, 1)).toBe(2048);
    expect(log2Quantile(h, 0)).toBe(1024);
    addToSlot(h, 20, 4); // four more in [2^20, 2^21)
    expect(log2Quantile(h, 0.5)).toBe(2048);
    expect(log2Quantile(h, 0.75)).toBe(2 ** 20 + 0.5 * 2 ** 20);
    expect(countAtLeast(h, 2 ** 20)).toBe(4);
    expect(h.total).toBe(8);
  });

  it('is NaN for an empty histogram or a quantile outside [0, 1], never a crash', () => {
    expect(log2Quantile(emptyLog2Histogram(), 0.5)).toBeNaN();
    const h = emptyLog2Histogram();
    addToSlot(h, 3, 1);
    expect(log2Quantile(h, 1.5)).toBeNaN();
    expect(log2Quantile(h, Number.NaN)).toBeNaN();
    addToSlot(h, 99, 5); // out of range slots are ignored
    addToSlot(h, 2, Number.NaN);
    expect(h.total).toBe(1);
  });

  it('subtracts cumulative snapshots into interval counts; quantiles are monotone in q', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 1000 })), {
          minLength: 1,
          maxLength: 30,
        }),
        (samples) => {
          const before = emptyLog2Histogram();
          const after = emptyLog2Histogram();
          samples.forEach(([slot, n], i) => {
            addToSlot(after, slot, n);
            if (i % 2 === 0) addToSlot(before, slot, n);
          });
          const delta = subtractHistograms(after, before);
          const expected = samples.filter((_, i) => i % 2 === 1).reduce((a, [, n]) => a + n, 0);
          expect(delta.total).toBe(expected);
          let prev = -1;
          for (const q of [0, 0.1, 0.5, 0.9, 0.99, 1]) {
            const v = log2Quantile(after, q);
            expect(v).toBeGreaterThanOrEqual(prev);
            prev = v;
          }
        },
      ),
      { seed: 42, numRuns: 200 },
    );
  });
});
