import { describe, expect, it } from 'vitest';
import { linearFit, predictLinearEta } from '../../src/maintenance/predict-linear.js';

describe('linearFit (Prometheus predict_linear)', () => {
  it('fits least squares over the window and evaluates at the last timestamp', () => {
    // Window (1000, 4000] holds x = −2000, −1000, 0 with y = 2, 4, 3: slope 0.5/1000, mean 3 at x̄ = −1000.
    const s = { timestamps: [0, 1000, 2000, 3000, 4000], values: [100, 7, 2, 4, 3] };
    const fit = linearFit(s, 3000);
    expect(fit.samples).toBe(3);
    expect(fit.slope).toBeCloseTo(0.0005, 12);
    expect(fit.value).toBeCloseTo(3.5, 12);
  });

  it('gives the time to capacity, null when not growing, 0 when already there', () => {
    const s = { timestamps: [0, 1000, 2000], values: [1, 2, 3] };
    expect(predictLinearEta(s, 5000, 10)).toBeCloseTo(7000, 9);
    expect(predictLinearEta({ timestamps: [0, 1000, 2000], values: [3, 2, 1] }, 5000, 10)).toBeNull();
    expect(predictLinearEta(s, 5000, 2)).toBe(0);
  });

  it('returns NaN with fewer than two samples and rejects a bad window', () => {
    expect(linearFit({ timestamps: [0, 1000], values: [1, Number.NaN] }, 5000).value).toBeNaN();
    expect(() => linearFit({ timestamps: [0], values: [1] }, 0)).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
  });
});
