import { describe, expect, it } from 'vitest';
import { kendallVarianceS } from '../../src/maintenance/kendall-variance.js';

describe('kendallVarianceS', () => {
  it('is n(n−1)(2n+5)/18 without ties', () => {
    expect(kendallVarianceS([1, 2, 3, 4, 5])).toBeCloseTo((5 * 4 * 15) / 18, 12);
    expect(kendallVarianceS([3, 1, 2])).toBeCloseTo((3 * 2 * 11) / 18, 12);
  });
  it('subtracts t(t−1)(2t+5) per group of ties and ignores NaN', () => {
    // n = 5 with groups of 2 and 3: (5·4·15 − 2·1·9 − 3·2·11) / 18 = (300 − 18 − 66) / 18 = 12.
    expect(kendallVarianceS([1, 1, 2, 2, 2, Number.NaN])).toBeCloseTo(12, 12);
  });
});
