import { describe, expect, it } from 'vitest';
import { RollingFeatures } from '../../src/isolation-forest/series-features.js';

describe('RollingFeatures', () => {
  it('writes value, first difference and rolling z-scores over the previous points', () => {
    const f = new RollingFeatures([3]);
    expect(RollingFeatures.columnNames([3])).toEqual(['value', 'diff', 'z3']);
    const cols = f.columns([1, 2, 3, 10]);
    expect(Array.from(cols[0])).toEqual([1, 2, 3, 10]);
    expect(Array.from(cols[1])).toEqual([0, 1, 1, 7]);
    // Point 2 (value 3): previous [1, 2] → mean 1.5, sd √0.5 → z = 1.5/0.70711 = 2.12132.
    // Point 3 (value 10): previous [1, 2, 3] → mean 2, sd 1 → z = 8.
    expect(cols[2][0]).toBe(0);
    expect(cols[2][1]).toBe(0);
    expect(cols[2][2]).toBeCloseTo(2.1213203, 6);
    expect(cols[2][3]).toBeCloseTo(8, 12);
  });

  it('skips missing values: NaN row, history unchanged, difference taken from the last observed value', () => {
    const f = new RollingFeatures([2]);
    const cols = f.columns([1, Number.NaN, 4, 5]);
    expect(cols.every((c) => Number.isNaN(c[1]))).toBe(true);
    expect(cols[1][2]).toBe(3);
    // Point 3 (value 5): previous observed [1, 4] → mean 2.5, sd 2.12132 → z = 1.178511.
    expect(cols[2][3]).toBeCloseTo(1.1785113, 6);
  });

  it('keeps a flat window finite: a departure from a constant history is a large finite z', () => {
    const cols = new RollingFeatures([4]).columns([5, 5, 5, 5, 6]);
    expect(Number.isFinite(cols[2][4])).toBe(true);
    expect(cols[2][4]).toBeGreaterThan(1e6);
    expect(cols[2][3]).toBe(0);
  });

  it('continues identically after a JSON round trip', () => {
    const values = Array.from({ length: 50 }, (_, i) => Math.sin(i / 3) + (i % 7 === 0 ? Number.NaN : 0));
    const a = new RollingFeatures([5, 12]);
    a.columns(values.slice(0, 30));
    const b = RollingFeatures.fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
    const tailA = a.columns(values.slice(30));
    const tailB = b.columns(values.slice(30));
    expect(tailB).toEqual(tailA);
  });
});
