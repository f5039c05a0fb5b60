import { quantileSorted } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import { planCapacity } from '../../src/maintenance/plan-capacity.js';
import { DAY, GROWING_LOAD, MINUTE, WEEK, weeklyScenario } from './scenarios.js';

const load = GROWING_LOAD;

function trueP95OfLastWeek(path: (dt: number) => number, end: number): number {
  const values = Float64Array.from({ length: 7 * 24 * 12 }, (_, i) =>
    path(end - WEEK + (i + 1) * 5 * MINUTE),
  ).sort();
  return quantileSorted(values, 0.95);
}

// Each case fits several seeded series; allow a slow shared CI machine well beyond the 5 s default.
describe('planCapacity', { timeout: 60_000 }, () => {
  it('weekly peak growth: finds when the limit is crossed (±3 days of ~10.5) and the p95 peak 12 weeks out (±3 %)', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const w = weeklyScenario({ seed, ...load });
      const plan = await planCapacity(w.series, { limit: 750, headroom: 0.2, horizon: 12 * WEEK });
      const observedEnd = w.series.timestamps[w.series.timestamps.length - 1] - w.series.timestamps[0];
      expect(Math.abs(plan.timeToLimit! - w.trueCrossing!) / DAY, `seed ${seed}`).toBeLessThan(3);
      expect(plan.timeToLimitInterval[0]!).toBeLessThanOrEqual(plan.timeToLimit!);
      const truePeak = trueP95OfLastWeek(w.path, observedEnd + 12 * WEEK);
      expect(Math.abs(plan.peak - truePeak) / truePeak, `seed ${seed}`).toBeLessThan(0.03);
      expect(plan.peakInterval[0]).toBeLessThanOrEqual(plan.peak);
      expect(plan.peakInterval[1]).toBeGreaterThanOrEqual(plan.peak);
      expect(plan.requiredCapacity).toBeCloseTo(plan.peak / 0.8, 9);
      expect(plan.additionalCapacity).toBeCloseTo(plan.peak / 0.8 - 750, 9);
      expect(plan.currentPeak).toBeLessThan(plan.peak);
    }
  });

  it('says the limit holds when it does, and how much headroom remains', async () => {
    const w = weeklyScenario({ seed: 6, ...load, growthPerWeek: 0, limit: 2000 });
    const plan = await planCapacity(w.series, {
      limit: 2000,
      headroom: 0.3,
      horizon: 4 * WEEK,
      quantile: 0.99,
      name: 'api cpu',
      unit: 'mcores',
    });
    expect(plan.crossing).toBeNull();
    expect(plan.timeToLimit).toBeNull();
    expect(plan.additionalCapacity).toBe(0);
    expect(plan.summary).toMatch(
      /^api cpu p99 peak goes from .* mcores to .* mcores .*stays under 2000 mcores for 28\.0 days; 2000 mcores keeps 30% headroom/,
    );
  });

  it('rejects bad options and input with typed errors', async () => {
    const w = weeklyScenario({ seed: 7, ...load, weeks: 1 });
    await expect(planCapacity(w.series, { limit: 750, horizon: WEEK, headroom: 1 })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      field: 'options.headroom',
    });
    await expect(planCapacity(w.series, { limit: 0, horizon: WEEK })).rejects.toMatchObject({
      field: 'options.limit',
    });
    await expect(planCapacity(w.series, { limit: 750 } as never)).rejects.toMatchObject({
      field: 'options.horizon',
    });
    const flat = { timestamps: Array.from({ length: 20 }, (_, i) => i * DAY), values: new Array(20).fill(3) };
    await expect(planCapacity(flat, { limit: 750, horizon: WEEK })).rejects.toMatchObject({
      code: 'CONSTANT_INPUT',
    });
  });
});
