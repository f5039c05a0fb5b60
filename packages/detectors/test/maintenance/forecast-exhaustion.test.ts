import type { Series } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import { forecastExhaustion } from '../../src/maintenance/forecast-exhaustion.js';
import { predictLinearEta } from '../../src/maintenance/predict-linear.js';
import type { ForecastBand, SeasonalForecaster } from '../../src/maintenance/seasonal-forecaster.js';
import { DAY, type DiskOptions, diskScenario, HOUR } from './scenarios.js';

const seeds = [1, 2, 3, 4, 5];
/** A week of 10-minute disk usage from 100 towards a capacity of 300, with unit noise, plus the given shape. */
const disk = (shape: Partial<DiskOptions> & { seed: number; ratePerDay: number }): DiskOptions => ({
  days: 7,
  noise: 1,
  start: 100,
  capacity: 300,
  ...shape,
});

async function relativeErrors(make: (seed: number) => DiskOptions) {
  const vigil: number[] = [];
  const baseline: number[] = [];
  for (const seed of seeds) {
    const s = diskScenario(make(seed));
    expect(s.trueEta).not.toBeNull();
    const f = await forecastExhaustion(s.series, { capacity: s.capacity, horizon: 60 * DAY });
    const pl = predictLinearEta(s.series, 6 * HOUR, s.capacity);
    vigil.push(f.eta === null ? Number.POSITIVE_INFINITY : Math.abs(f.eta - s.trueEta!) / s.trueEta!);
    baseline.push(pl === null ? Number.POSITIVE_INFINITY : Math.abs(pl - s.trueEta!) / s.trueEta!);
  }
  return { vigil: Math.max(...vigil), baseline: Math.max(...baseline) };
}

// Each case fits several seeded series; allow a slow shared CI machine well beyond the 5 s default.
describe('forecastExhaustion', { timeout: 60_000 }, () => {
  it('linear fill: ETA within 3 % of the truth', async () => {
    const e = await relativeErrors((seed) => disk({ seed, ratePerDay: 10 }));
    expect(e.vigil).toBeLessThan(0.03);
  });

  it('linear fill with daily log rotation: ETA within 10 %, where predict_linear[6h] is off by more than 50 %', async () => {
    const e = await relativeErrors((seed) =>
      disk({ seed, ratePerDay: 30, cleanupEvery: DAY, cleanupAmount: 20 }),
    );
    expect(e.vigil).toBeLessThan(0.1);
    expect(e.baseline).toBeGreaterThan(0.5);
  });

  it('accelerating fill with clean-ups twice a day: ETA within 15 %', async () => {
    const e = await relativeErrors((seed) =>
      disk({ seed, ratePerDay: 10, accelPerDay2: 4, cleanupEvery: DAY / 2, cleanupAmount: 5 }),
    );
    expect(e.vigil).toBeLessThan(0.15);
  });

  it('slow fill under a daily cycle: ETA within 10 %, where predict_linear[6h] follows the cycle', async () => {
    const e = await relativeErrors((seed) => disk({ seed, days: 14, ratePerDay: 5, dailyAmplitude: 10 }));
    expect(e.vigil).toBeLessThan(0.1);
    expect(e.baseline).toBeGreaterThan(0.5);
  });

  it('says when and why a resource never fills: clean-ups keep up with the fill', async () => {
    const s = diskScenario(disk({ seed: 6, ratePerDay: 20, cleanupEvery: DAY, cleanupAmount: 20 }));
    expect(s.trueEta).toBeNull();
    const f = await forecastExhaustion(s.series, { capacity: 300, horizon: 30 * DAY, name: 'disk /var' });
    expect(f.time).toBeNull();
    expect(f.eta).toBeNull();
    expect(f.method).toBe('net-of-cleanups');
    expect(f.cleanups).toBeGreaterThanOrEqual(6);
    expect(Math.abs(f.ratePerHour * 24)).toBeLessThan(1);
    expect(f.reason).toMatch(/below capacity|never reaches/);
    expect(f.summary).toMatch(/^disk \/var does not fill within 30\.0 days/);
  });

  it('writes the ETA and its interval in one alert sentence', async () => {
    const s = diskScenario(disk({ seed: 7, days: 7, ratePerDay: 10 }));
    const f = await forecastExhaustion(s.series, { capacity: 300, name: 'disk /var' });
    expect(f.etaInterval[0]!).toBeLessThanOrEqual(f.eta!);
    expect(f.etaInterval[1]!).toBeGreaterThanOrEqual(f.eta!);
    const days = (v: number) => (v / DAY).toFixed(1);
    expect(f.summary).toContain(
      `disk /var fills in ${days(f.eta!)} days (${days(f.etaInterval[0]!)}–${days(f.etaInterval[1]!)})`,
    );
  });

  it('reports 0 when the resource is already full', async () => {
    const s = diskScenario(disk({ seed: 8, days: 2, ratePerDay: 10 }));
    const f = await forecastExhaustion(s.series, { capacity: 50 });
    expect(f.eta).toBe(0);
    expect(f.summary).toMatch(/is full/);
  });

  it('uses a user-supplied (async) forecaster on the clean-up-adjusted series', async () => {
    class OnePerHour implements SeasonalForecaster {
      last = Number.NaN;
      tEnd = Number.NaN;
      async fit(series: Series) {
        this.tEnd = series.timestamps[series.timestamps.length - 1];
        this.last = series.values[series.values.length - 1];
      }
      async predict(timestamps: Float64Array): Promise<ForecastBand> {
        const yhat = timestamps.map((t) => this.last + (t - this.tEnd) / HOUR);
        return { yhat, lower: yhat.map((v) => v - 1), upper: yhat.map((v) => v + 1) };
      }
    }
    const s = {
      timestamps: Array.from({ length: 20 }, (_, i) => i * HOUR),
      values: Array.from({ length: 20 }, (_, i) => i),
    };
    const f = await forecastExhaustion(s, { capacity: 40, forecaster: new OnePerHour() });
    expect(f.eta! / HOUR).toBeCloseTo(21, 9);
    expect(f.etaInterval[0]! / HOUR).toBeCloseTo(20, 9);
    expect(f.etaInterval[1]! / HOUR).toBeCloseTo(22, 9);
    expect(f.ratePerHour).toBeCloseTo(1, 9);
  });

  it('is deterministic', async () => {
    const s = diskScenario(disk({ seed: 9, ratePerDay: 30, cleanupEvery: DAY, cleanupAmount: 20 }));
    const a = await forecastExhaustion(s.series, { capacity: 300 });
    const b = await forecastExhaustion(s.series, { capacity: 300 });
    expect(b).toEqual(a);
  });

  it('rejects bad input with typed errors naming the field', async () => {
    const short = { timestamps: [0, 1, 2], values: [1, 2, 3] };
    await expect(forecastExhaustion(short, { capacity: 10 })).rejects.toMatchObject({
      code: 'TOO_SHORT',
      field: 'values',
    });
    const flat = {
      timestamps: Array.from({ length: 50 }, (_, i) => i * HOUR),
      values: new Array(50).fill(7),
    };
    await expect(forecastExhaustion(flat, { capacity: 10 })).rejects.toMatchObject({
      code: 'CONSTANT_INPUT',
    });
    const ok = diskScenario(disk({ seed: 1, days: 2, ratePerDay: 10 })).series;
    await expect(forecastExhaustion(ok, { capacity: -5 })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      field: 'options.capacity',
    });
    await expect(forecastExhaustion(ok, { capacity: 300, horizon: 0 })).rejects.toMatchObject({
      field: 'options.horizon',
    });
    await expect(
      forecastExhaustion({ timestamps: [2, 1], values: [1, 2] }, { capacity: 3 }),
    ).rejects.toMatchObject({
      code: 'UNSORTED_TIMESTAMPS',
    });
  });
});
