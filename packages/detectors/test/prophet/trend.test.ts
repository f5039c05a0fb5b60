import { describe, expect, it } from 'vitest';
import { changepointIndices, evaluateTrend, initialTrend, logisticGammas } from '../../src/prophet/trend.js';

describe('changepointIndices', () => {
  it("matches Prophet's linspace(0, hist_size − 1, n + 1).round()[1:]", () => {
    // 100 points, range 0.8: hist_size 80, linspace(0, 79, 26) = 0, 3.16, 6.32, …, 79.
    const idx = changepointIndices(100, 25, 0.8);
    expect(idx).toHaveLength(25);
    expect(idx.slice(0, 5)).toEqual([3, 6, 9, 13, 16]);
    expect(idx[24]).toBe(79);
    // Half-way values round to even as numpy does: linspace(0, 9, 5) = 0, 2.25, 4.5, 6.75, 9 → 2, 4, 7, 9.
    expect(changepointIndices(10, 4, 1)).toEqual([2, 4, 7, 9]);
    // Short histories get fewer changepoints: at most hist_size − 1.
    expect(changepointIndices(5, 25, 0.8)).toEqual([1, 2, 3]);
    expect(changepointIndices(2, 25, 0.8)).toEqual([]);
  });
});

describe('evaluateTrend', () => {
  it('is continuous at the changepoints of a piecewise-linear trend, with the slope changing by δ', () => {
    const t = [0, 0.5 - 1e-9, 0.5, 1];
    const y = evaluateTrend('linear', t, 2, 1, [-3], [0.5]);
    expect(y[0]).toBe(1);
    expect(y[1]).toBeCloseTo(2, 8);
    expect(y[2]).toBeCloseTo(2, 12);
    expect(y[3]).toBeCloseTo(2 - 0.5, 12);
  });

  it('keeps the logistic trend continuous at changepoints (Taylor & Letham eq. 2 offsets)', () => {
    const k = 6;
    const m = 0.4;
    const delta = [4, -7];
    const tc = [0.3, 0.6];
    const cap = [10, 10];
    for (const s of tc) {
      const [before, after] = evaluateTrend('logistic', [s - 1e-10, s], k, m, delta, tc, cap);
      expect(after).toBeCloseTo(before, 7);
    }
    const g = logisticGammas(k, m, delta, tc);
    expect(g[0]).toBeCloseTo((0.3 - 0.4) * (1 - 6 / 10), 14);
  });

  it('starts the optimiser where Prophet does', () => {
    expect(initialTrend('linear', [0, 0.5, 1], [1, 5, 3])).toEqual({ k: 2, m: 1 });
    expect(initialTrend('flat', [0, 0.5, 1], [1, 5, 3])).toEqual({ k: 0, m: 3 });
    const { k, m } = initialTrend('logistic', [0, 1], [0.2, 0.8], [1, 1]);
    // Logits ln(1/0.2 − 1) = ln 4 and ln(1/0.8 − 1) = −ln 4: k = 2 ln 4, m = ½.
    expect(k).toBeCloseTo(2 * Math.log(4), 12);
    expect(m).toBeCloseTo(0.5, 12);
  });
});
