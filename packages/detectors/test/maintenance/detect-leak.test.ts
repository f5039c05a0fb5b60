import { describe, expect, it } from 'vitest';
import { detectLeak } from '../../src/maintenance/detect-leak.js';
import { HOUR, heapScenario, T0 } from './scenarios.js';

const noise = { floorNoise: 1e6, sampleNoise: 2e5 };
const seeds = Array.from({ length: 10 }, (_, i) => i + 1);

// Each case fits several seeded series; allow a slow shared CI machine well beyond the 5 s default.
describe('detectLeak', { timeout: 60_000 }, () => {
  it('detects a 2 MB/h leak under GC sawtooth within 3 hours, every seed, with the rate in its interval', () => {
    for (const seed of seeds) {
      const r = detectLeak(heapScenario({ seed, hours: 3, leakPerHour: 2e6, ...noise }));
      expect(r.leaking, `seed ${seed}`).toBe(true);
      expect(r.verdict).toBe('leak');
      expect(r.cycleMethod).toBe('drops');
      expect(r.rateInterval[0]).toBeLessThan(r.rateInterval[1]);
      expect(Math.abs(r.ratePerHour - 2e6)).toBeLessThan(0.4e6);
      expect(r.confidence).toBeGreaterThan(0.99);
    }
  });

  it('measures the rate to 5 % over 12 hours and projects the OOM time to 5 %', () => {
    const limit = 512e6;
    const r = detectLeak(heapScenario({ seed: 1, hours: 12, leakPerHour: 2e6, ...noise }), {
      limit,
      name: 'api heap',
      unit: 'B',
    });
    expect(r.ratePerHour).toBeGreaterThan(1.9e6);
    expect(r.ratePerHour).toBeLessThan(2.1e6);
    expect(r.rateInterval[0]).toBeLessThanOrEqual(2e6);
    expect(r.rateInterval[1]).toBeGreaterThanOrEqual(2e6);
    // Floor at the end: 100 MB + 24 MB; a median GC cycle of 120 s at 100 kB/s adds 12 MB at the peak.
    const trueHours = (limit - (100e6 + 24e6 + 12e6)) / 2e6;
    expect(Math.abs(r.timeToLimit! / HOUR - trueHours) / trueHours).toBeLessThan(0.05);
    expect(r.timeToLimitInterval[0]!).toBeLessThanOrEqual(r.timeToLimit!);
    expect(r.timeToLimitInterval[1]!).toBeGreaterThanOrEqual(r.timeToLimit!);
    expect(r.summary).toMatch(
      /^api heap leaks 2\.0\d MB\/h \(1\.9\d MB–2\.\d\d MB\), reaches 512 MB in [\d.]+ days \(.+\); confidence/,
    );
  });

  it('reports no leak for a healthy sawtooth (10 seeds)', () => {
    for (const seed of seeds) {
      const r = detectLeak(heapScenario({ seed: seed + 100, hours: 12, leakPerHour: 0, ...noise }), {
        limit: 512e6,
      });
      expect(r.leaking, `seed ${seed}`).toBe(false);
      expect(r.timeToLimit).toBeNull();
      expect(r.rateInterval[0]).toBeLessThanOrEqual(0);
    }
  });

  it('calls a cache warming up to a plateau a plateau, not a leak (10 seeds)', () => {
    for (const seed of seeds) {
      const r = detectLeak(
        heapScenario({
          seed: seed + 200,
          hours: 12,
          leakPerHour: 0,
          warmupAmount: 50e6,
          warmupHours: 1.5,
          ...noise,
        }),
      );
      expect(r.leaking, `seed ${seed}`).toBe(false);
      expect(['plateau', 'stable']).toContain(r.verdict);
    }
    const one = detectLeak(
      heapScenario({ seed: 201, hours: 12, leakPerHour: 0, warmupAmount: 50e6, warmupHours: 1.5, ...noise }),
      { unit: 'B' },
    );
    expect(one.verdict).toBe('plateau');
    expect(one.summary).toMatch(/levelled off.*no leak/);
  });

  it('sees through restarts: a leak that restarts every 4 hours is still a leak; a restart alone is not', () => {
    const leak = detectLeak(
      heapScenario({ seed: 4, hours: 12, leakPerHour: 2e6, restartsAt: [4, 8], ...noise }),
    );
    expect(leak.restarts).toBe(2);
    expect(leak.leaking).toBe(true);
    expect(Math.abs(leak.ratePerHour - 2e6)).toBeLessThan(0.2e6);
    const healthy = detectLeak(
      heapScenario({ seed: 5, hours: 12, leakPerHour: 0, restartsAt: [6], ...noise }),
    );
    expect(healthy.leaking).toBe(false);
  });

  it('takes known restart times from the caller', () => {
    // A small leak restarting every 2 hours: each fall is too small to see, so the caller names the restarts.
    const series = heapScenario({
      seed: 6,
      hours: 12,
      leakPerHour: 1e6,
      restartsAt: [2, 4, 6, 8, 10],
      ...noise,
    });
    const told = detectLeak(series, { restarts: [2, 4, 6, 8, 10].map((h) => T0 + h * HOUR) });
    expect(told.restarts).toBeGreaterThanOrEqual(5);
    expect(told.leaking).toBe(true);
    expect(Math.abs(told.ratePerHour - 1e6)).toBeLessThan(0.25e6);
  });

  it('is deterministic and leaves NaN gaps harmless', () => {
    const s = heapScenario({ seed: 7, hours: 6, leakPerHour: 2e6, ...noise });
    const values = Float64Array.from(s.values);
    for (let i = 0; i < values.length; i += 17) values[i] = Number.NaN;
    const a = detectLeak({ timestamps: s.timestamps, values });
    expect(detectLeak({ timestamps: s.timestamps, values })).toEqual(a);
    expect(a.leaking).toBe(true);
  });

  it('rejects bad input with typed errors', () => {
    expect(() => detectLeak({ timestamps: [0, 1, 2], values: [1, 2, 3] })).toThrow(
      expect.objectContaining({ code: 'TOO_SHORT' }),
    );
    const flat = {
      timestamps: Array.from({ length: 100 }, (_, i) => i * 1000),
      values: new Array(100).fill(5e7),
    };
    expect(() => detectLeak(flat)).toThrow(
      expect.objectContaining({ code: 'CONSTANT_INPUT', field: 'values' }),
    );
    const s = heapScenario({ seed: 1, hours: 2, leakPerHour: 0, ...noise });
    expect(() => detectLeak(s, { limit: -1 })).toThrow(expect.objectContaining({ field: 'options.limit' }));
    expect(() => detectLeak(s, { alpha: 1 })).toThrow(expect.objectContaining({ field: 'options.alpha' }));
  });
});
