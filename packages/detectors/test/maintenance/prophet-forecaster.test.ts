import { describe, expect, it } from 'vitest';
import { planCapacity } from '../../src/maintenance/plan-capacity.js';
import { prophetForecaster } from '../../src/maintenance/prophet-forecaster.js';
import { DAY, GROWING_LOAD, WEEK, weeklyScenario } from './scenarios.js';

describe('prophetForecaster', { timeout: 60_000 }, () => {
  it('plugs Prophet into planCapacity and finds the crossing within 4.5 days', async () => {
    for (const seed of [1, 2, 3]) {
      const w = weeklyScenario({ seed, ...GROWING_LOAD });
      const plan = await planCapacity(w.series, {
        limit: 750,
        headroom: 0.2,
        horizon: 12 * WEEK,
        forecaster: prophetForecaster({ seed, weeklySeasonality: 10, dailySeasonality: 10 }),
      });
      // True crossing ≈ 10.5 days (a Friday peak). Measured: 14.49 days on seeds 1–3. Prophet's Fourier weekly term
      // smooths the weekend step into Friday, so the crossing moves to the next week's first peaks; the default
      // forecaster's day-of-week profile is within 3 days here.
      expect(Math.abs(plan.timeToLimit! - w.trueCrossing!) / DAY, `seed ${seed}`).toBeLessThan(4.5);
      expect(plan.peakInterval[0]).toBeLessThanOrEqual(plan.peak);
    }
  });

  it('rejects bad Prophet options when it is created and predicting before fitting', () => {
    expect(() => prophetForecaster({ changepointPriorScale: -1 })).toThrowError(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
    expect(() => prophetForecaster().predict(Float64Array.of(0))).toThrowError(
      expect.objectContaining({
        name: 'VigilInputError',
        code: 'NOT_FITTED',
        field: 'forecaster',
        fix: expect.stringMatching(/fit\(series\)/),
      }),
    );
  });
});
