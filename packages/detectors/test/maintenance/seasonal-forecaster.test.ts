import { createRng } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import { DAY, RobustSeasonalForecaster, WEEK } from '../../src/maintenance/seasonal-forecaster.js';
import { HOUR, T0, weeklyScenario } from './scenarios.js';

// Each case fits several seeded series; allow a slow shared CI machine well beyond the 5 s default.
describe('RobustSeasonalForecaster', { timeout: 60_000 }, () => {
  it('recovers a linear trend and a daily cycle, and forecasts a week ahead within the noise', () => {
    const rng = createRng(1);
    const step = 15 * 60_000;
    const truth = (t: number) => 50 + (2 * (t - T0)) / DAY + 10 * Math.sin((2 * Math.PI * (t - T0)) / DAY);
    const timestamps = Float64Array.from({ length: 14 * 96 }, (_, i) => T0 + i * step);
    const values = timestamps.map((t) => truth(t) + rng.normal());
    const f = new RobustSeasonalForecaster();
    f.fit({ timestamps, values });
    expect(f.trend?.shape).toBe('linear');
    expect(f.trend?.periods).toEqual([DAY]);
    expect(f.trend!.ratePerHour * 24).toBeCloseTo(2, 1);
    const future = Float64Array.from(
      { length: 7 * 96 },
      (_, i) => timestamps[timestamps.length - 1] + (i + 1) * step,
    );
    const { yhat, lower, upper } = f.predict(future);
    let absError = 0;
    let inside = 0;
    for (let i = 0; i < future.length; i++) {
      const y = truth(future[i]);
      absError += Math.abs(yhat[i] - y);
      if (y >= lower[i] && y <= upper[i]) inside++;
    }
    // Hourly bins flatten a sine of amplitude 10 by at most 10·(1 − cos(π/24)) ≈ 0.09 plus the bin-median noise.
    expect(absError / future.length).toBeLessThan(0.6);
    expect(inside / future.length).toBeGreaterThan(0.95);
  });

  it('adds a weekly profile: weekends forecast lower than weekdays', () => {
    const w = weeklyScenario({
      seed: 2,
      weeks: 6,
      base: 400,
      growthPerWeek: 0,
      dailyAmplitude: 100,
      weekendDip: 150,
      noise: 10,
      limit: 1e9,
    });
    const f = new RobustSeasonalForecaster();
    f.fit(w.series);
    expect(f.trend?.periods).toEqual([DAY, WEEK]);
    const tEnd = w.series.timestamps[w.series.timestamps.length - 1];
    const monday = T0 + 6 * WEEK + 12 * HOUR;
    const saturday = monday + 5 * DAY;
    const { yhat } = f.predict(Float64Array.of(monday, saturday));
    expect(monday).toBeGreaterThan(tEnd);
    expect(yhat[0] - yhat[1]).toBeGreaterThan(120);
    expect(yhat[0] - yhat[1]).toBeLessThan(180);
  });

  it('switches to a quadratic trend when the fill accelerates', () => {
    const rng = createRng(3);
    const timestamps = Float64Array.from({ length: 1000 }, (_, i) => T0 + i * 10 * 60_000);
    const values = timestamps.map((t) => {
      const d = (t - T0) / DAY;
      return 100 + 5 * d + 2 * d * d + 0.5 * rng.normal();
    });
    const f = new RobustSeasonalForecaster();
    f.fit({ timestamps, values });
    expect(f.trend?.shape).toBe('accelerating');
    const days = (timestamps[999] - T0) / DAY;
    // Rate at the end is 5 + 4·d per day.
    expect(f.trend!.ratePerHour * 24).toBeCloseTo(5 + 4 * days, 0);
    const ahead = timestamps[999] + 2 * DAY;
    const d = (ahead - T0) / DAY;
    expect(f.predict(Float64Array.of(ahead)).yhat[0]).toBeCloseTo(100 + 5 * d + 2 * d * d, -1);
  });

  it('throws NOT_FITTED before fit and INVALID_OPTION for bad options', () => {
    expect(() => new RobustSeasonalForecaster().predict(Float64Array.of(0))).toThrow(
      expect.objectContaining({ code: 'NOT_FITTED' }),
    );
    expect(() => new RobustSeasonalForecaster({ intervalWidth: 1 })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION', field: 'options.intervalWidth' }),
    );
    expect(() => new RobustSeasonalForecaster({ periods: [-1] })).toThrow(
      expect.objectContaining({ field: 'options.periods[0]' }),
    );
  });
});
