import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectLeak } from '../../src/maintenance/detect-leak.js';
import { forecastExhaustion } from '../../src/maintenance/forecast-exhaustion.js';
import { DAY, diskScenario, heapScenario } from './scenarios.js';

// Units must not matter: bytes or gigabytes, the same disk fills at the same time and the same heap leaks.
const scale = fc.constantFrom(1e-6, 1e-3, 1 / 3, 7, 1e3, 1e9);

// Each case fits several seeded series; allow a slow shared CI machine well beyond the 5 s default.
describe('maintenance answers do not depend on the unit', { timeout: 60_000 }, () => {
  it('forecastExhaustion: the ETA is the same after scaling values and capacity', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1000 }), scale, async (seed, c) => {
        const s = diskScenario({
          seed,
          days: 5,
          ratePerDay: 20,
          cleanupEvery: DAY,
          cleanupAmount: 12,
          noise: 1,
          start: 100,
          capacity: 300,
        });
        const a = await forecastExhaustion(s.series, { capacity: 300 });
        const scaled = { timestamps: s.series.timestamps, values: s.series.values.map((v) => v * c) };
        const b = await forecastExhaustion(scaled, { capacity: 300 * c });
        expect(b.method).toBe(a.method);
        expect(b.eta === null).toBe(a.eta === null);
        if (a.eta !== null) expect(Math.abs(b.eta! - a.eta) / a.eta).toBeLessThan(1e-6);
        expect(b.ratePerHour / c).toBeCloseTo(a.ratePerHour, 6);
      }),
      { numRuns: 4 },
    );
  });

  it('detectLeak: the verdict and the scaled rate are the same', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), scale, fc.constantFrom(0, 2e6), (seed, c, leak) => {
        const s = heapScenario({ seed, hours: 4, leakPerHour: leak, floorNoise: 1e6, sampleNoise: 2e5 });
        const a = detectLeak(s);
        const b = detectLeak({ timestamps: s.timestamps, values: s.values.map((v) => v * c) });
        expect(b.verdict).toBe(a.verdict);
        expect(b.ratePerHour / c).toBeCloseTo(a.ratePerHour, 3);
        expect(b.confidence).toBeCloseTo(a.confidence, 9);
      }),
      { numRuns: 12 },
    );
  });
});
