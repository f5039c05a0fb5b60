import { describe, expect, it } from 'vitest';
import { TailCalibrator } from '../../src/calibration/tail-calibrator.js';

describe('TailCalibrator on degenerate training statistics', () => {
  it('all equal (a constant training series): p = 1 at that value, any clear departure is extreme', () => {
    const cal = TailCalibrator.fit(new Float64Array(600)); // 600 zeros
    expect(cal.method).toBe('empirical');
    expect(cal.score(0)).toBe(0);
    // Within one resolution (1e-6) of the training value: the same value.
    expect(cal.score(5e-7)).toBe(0);
    // One resolution past it the floor 1/(n + 1), then a decay with scale = the resolution.
    expect(cal.pValue(1e-6 + 1e-6)).toBeCloseTo(Math.exp(-1) / 601, 12);
    expect(cal.pValue(1e-4)).toBeLessThan(1e-40);
    // The case: a 1e6 jump on a flat 3.0 through a z-score whose scale floor is 3e-12.
    expect(cal.score(1e6 / 3e-12)).toBe(1);
    expect(cal.rawForPValue(1e-3)).toBeCloseTo(1e-6 + 1e-6 * Math.log(1000 / 601), 15);
  });

  it('ties count in full: p(x) = P(raw ≥ x), so the usual value of a sparse series scores 0', () => {
    const raw = [...new Array(970).fill(0), ...Array.from({ length: 30 }, (_, i) => 1 + i / 10)];
    const cal = TailCalibrator.fit(raw);
    expect(cal.pValue(0)).toBe(1);
    expect(cal.score(0)).toBe(0);
    // 30 of 1000 are ≥ 1 (the table interpolates between its 200 quantiles: ±1/200).
    expect(cal.pValue(1)).toBeCloseTo(0.03, 2);
  });

  it('a custom resolution widens the ties and floors the tail scale', () => {
    const noise = Array.from({ length: 500 }, (_, i) => 1e-5 * (i % 7));
    const cal = TailCalibrator.fit(noise, { resolution: 0.01 });
    // Numerical noise that drifts by a thousandth of the resolution is not a departure.
    expect(cal.score(1e-4)).toBe(0);
    expect(cal.score(0.01 + 6e-5 + 0.1)).toBeGreaterThan(0.9999);
    expect(() => TailCalibrator.fit(noise, { resolution: 0 })).toThrowError(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
  });

  it('snapshots written before the decay existed keep their flat floor', () => {
    const state = { ...TailCalibrator.fit([1, 2, 3, 4, 5, 6, 7, 8]).toJSON(), scale: 0 };
    delete (state as { resolution?: number }).resolution;
    const old = TailCalibrator.fromJSON(state);
    expect(old.pValue(100)).toBeCloseTo(1 / 9, 12);
    expect(old.rawForPValue(1e-3)).toBe(Number.POSITIVE_INFINITY);
  });
});
