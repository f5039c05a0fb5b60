import { describe, expect, it } from 'vitest';
import {
  autoSeasonalityOrder,
  designMatrix,
  featureLayout,
  fourierTerms,
} from '../../src/prophet/seasonality.js';

const DAY_MS = 86_400_000;

describe('fourierTerms', () => {
  it('equals sin/cos of 2πjt/P for j = 1…order', () => {
    const row = new Float64Array(20);
    const t = 20_123.37;
    fourierTerms(t, 7, 10, row, 0);
    for (let j = 1; j <= 10; j++) {
      // At t ≈ 20 000 days the angles are ~1e5 rad, so even direct evaluation is only good to ~1e-11.
      expect(row[2 * j - 2]).toBeCloseTo(Math.sin((2 * Math.PI * j * t) / 7), 9);
      expect(row[2 * j - 1]).toBeCloseTo(Math.cos((2 * Math.PI * j * t) / 7), 9);
    }
  });
});

describe('autoSeasonalityOrder', () => {
  it("applies Prophet's span and spacing rules", () => {
    const fiveMin = 300_000;
    expect(autoSeasonalityOrder('daily', 'auto', 2 * DAY_MS, fiveMin)).toBe(4);
    expect(autoSeasonalityOrder('daily', 'auto', 2 * DAY_MS - 1, fiveMin)).toBe(0);
    expect(autoSeasonalityOrder('daily', 'auto', 30 * DAY_MS, DAY_MS)).toBe(0);
    expect(autoSeasonalityOrder('weekly', 'auto', 14 * DAY_MS, fiveMin)).toBe(3);
    expect(autoSeasonalityOrder('weekly', 'auto', 14 * DAY_MS - 1, fiveMin)).toBe(0);
    expect(autoSeasonalityOrder('weekly', 'auto', 100 * DAY_MS, 7 * DAY_MS)).toBe(0);
    expect(autoSeasonalityOrder('yearly', 'auto', 730 * DAY_MS, DAY_MS)).toBe(10);
    expect(autoSeasonalityOrder('yearly', 'auto', 729 * DAY_MS, DAY_MS)).toBe(0);
    expect(autoSeasonalityOrder('yearly', true, DAY_MS, DAY_MS)).toBe(10);
    expect(autoSeasonalityOrder('daily', false, 99 * DAY_MS, 1)).toBe(0);
    expect(autoSeasonalityOrder('weekly', 7, DAY_MS, 1)).toBe(7);
  });
});

describe('designMatrix', () => {
  it('lays out seasonality, holiday-window and standardised regressor columns with their priors', () => {
    const holidayDay = 20_000;
    const spec = {
      seasonalities: [
        { name: 'daily', period: 1, fourierOrder: 1, priorScale: 10, mode: 'additive' as const },
      ],
      holidays: [
        {
          name: 'h',
          days: [holidayDay],
          lowerWindow: -1,
          upperWindow: 1,
          priorScale: 5,
          mode: 'multiplicative' as const,
        },
      ],
      regressors: [{ name: 'r', priorScale: 2, mode: 'additive' as const, mu: 10, std: 2 }],
    };
    const layout = featureLayout(spec);
    expect(layout.width).toBe(6);
    expect(Array.from(layout.priorScales)).toEqual([10, 10, 5, 5, 5, 2]);
    expect(Array.from(layout.multiplicative)).toEqual([0, 0, 1, 1, 1, 0]);
    const ms = [
      (holidayDay - 1) * DAY_MS + 6 * 3_600_000,
      holidayDay * DAY_MS,
      (holidayDay + 1) * DAY_MS + 1,
      (holidayDay + 2) * DAY_MS,
    ];
    const x = designMatrix(spec, layout, ms, { r: [10, 12, 8, 11] });
    const row = (i: number) => Array.from(x.subarray(i * 6, i * 6 + 6));
    expect(row(0)[0]).toBeCloseTo(1, 12);
    expect(row(0).slice(2)).toEqual([1, 0, 0, 0]);
    expect(row(1).slice(2)).toEqual([0, 1, 0, 1]);
    expect(row(2).slice(2)).toEqual([0, 0, 1, -1]);
    expect(row(3).slice(2)).toEqual([0, 0, 0, 0.5]);
  });

  it('gives a model without components one zero column, as Prophet does', () => {
    const layout = featureLayout({ seasonalities: [], holidays: [], regressors: [] });
    expect(layout.width).toBe(1);
    expect(
      Array.from(designMatrix({ seasonalities: [], holidays: [], regressors: [] }, layout, [0, 1], {})),
    ).toEqual([0, 0]);
  });
});
