import { describe, expect, it } from 'vitest';
import type { ForecastEvent } from '../../src/serve/forecast-event.js';
import { MaintenanceChecks } from '../../src/serve/maintenance-checks.js';
import { noise } from '../helpers/otlp-json.js';

describe('MaintenanceChecks', () => {
  it('forecasts a disk filling within the horizon and leaves a flat one alone', async () => {
    const r = noise(3);
    const minute = 60_000;
    const history = new Map<string, { timestamps: number[]; values: number[] }>();
    // 100 GB disk: one fills 0.5 GB a minute from 40 GB (full in ~2 h), the other holds at 40 GB.
    for (const [key, rate] of [
      ['host/disk.used{mount=/var}', 0.5e9],
      ['host/disk.used{mount=/}', 0],
    ] as const) {
      const timestamps = Array.from({ length: 60 }, (_, i) => i * minute);
      history.set(key, { timestamps, values: timestamps.map((_, i) => 40e9 + rate * i + 0.05e9 * r()) });
    }
    const found: ForecastEvent[] = [];
    const checks = new MaintenanceChecks(
      [
        {
          match: 'host/disk.used*',
          type: 'exhaustion',
          capacity: 100e9,
          horizonSeconds: 4 * 3600,
          window: 60,
          every: 60,
        },
      ],
      (k) => history.get(k),
      (f) => found.push(f),
    );
    for (let i = 0; i < 60; i++) for (const key of history.keys()) checks.onPoint(key);
    await checks.idle();
    expect(checks.runs).toBe(2);
    expect(found).toHaveLength(1);
    expect(found[0].seriesKey).toBe('host/disk.used{mount=/var}');
    expect(found[0].state).toBe('firing');
    // (100 − 69.5) GB at 0.5 GB/min: about 61 minutes after the last point.
    expect((found[0].eta! - 59 * minute) / minute).toBeGreaterThan(45);
    expect((found[0].eta! - 59 * minute) / minute).toBeLessThan(80);
  });
});
