import { describe, expect, it } from 'vitest';
import { averagePathLength } from '../../src/isolation-forest/average-path-length.js';

describe('averagePathLength (c(n), Liu et al. 2008 eq. 1)', () => {
  it('is 0 for n ≤ 1 and 1 for n = 2', () => {
    expect(averagePathLength(0)).toBe(0);
    expect(averagePathLength(1)).toBe(0);
    expect(averagePathLength(2)).toBe(1);
  });

  it('is 2(ln(n − 1) + γ) − 2(n − 1)/n for larger n', () => {
    // By hand: ln 255 = 5.541263545, + γ = 6.118479210, ×2 = 12.236958420, − 510/256 = 1.9921875 → 10.244770920.
    expect(averagePathLength(256)).toBeCloseTo(10.24477092, 8);
    expect(averagePathLength(3)).toBeCloseTo(2 * (Math.log(2) + 0.5772156649015329) - 4 / 3, 12);
  });

  it('stays within 1/(n − 1) of the exact harmonic-number form', () => {
    for (const n of [3, 10, 100, 256, 4096]) {
      let h = 0;
      for (let i = 1; i < n; i++) h += 1 / i;
      const exact = 2 * h - (2 * (n - 1)) / n;
      expect(Math.abs(averagePathLength(n) - exact)).toBeLessThan(1 / (n - 1));
    }
  });

  it('increases with n', () => {
    let prev = averagePathLength(2);
    for (let n = 3; n < 2000; n++) {
      const c = averagePathLength(n);
      expect(c).toBeGreaterThan(prev);
      prev = c;
    }
  });
});
