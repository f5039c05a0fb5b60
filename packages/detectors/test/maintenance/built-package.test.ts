// Imports the BUILT package by name, as a user would (run `npm run build` first).
import { loadDetector } from '@vigil/core';
import {
  detectLeak,
  forecastExhaustion,
  planCapacity,
  RobustSeasonalForecaster,
} from '@vigil/detectors/maintenance';
import { describe, expect, it } from 'vitest';
import { DAY, diskScenario, GROWING_LOAD, heapScenario, WEEK, weeklyScenario } from './scenarios.js';

// Each case fits several seeded series; allow a slow shared CI machine well beyond the 5 s default.
describe('@vigil/detectors maintenance (built)', { timeout: 60_000 }, () => {
  it('answers the three maintenance questions from the published entry point', async () => {
    const disk = diskScenario({
      seed: 1,
      days: 7,
      ratePerDay: 30,
      cleanupEvery: DAY,
      cleanupAmount: 20,
      noise: 1,
      start: 100,
      capacity: 300,
    });
    const f = await forecastExhaustion(disk.series, { capacity: 300, name: 'disk /var' });
    expect(Math.abs(f.eta! - disk.trueEta!) / disk.trueEta!).toBeLessThan(0.1);
    expect(f.summary).toMatch(/^disk \/var fills in/);

    const leak = detectLeak(heapScenario({ seed: 1, hours: 6, leakPerHour: 2e6, floorNoise: 1e6 }), {
      unit: 'B',
    });
    expect(leak.leaking).toBe(true);

    const w = weeklyScenario({ seed: 1, ...GROWING_LOAD, weeks: 4 });
    const plan = await planCapacity(w.series, {
      limit: 750,
      horizon: 8 * WEEK,
      forecaster: new RobustSeasonalForecaster(),
    });
    expect(plan.timeToLimit).not.toBeNull();
    expect(typeof loadDetector).toBe('function');
  });
});
