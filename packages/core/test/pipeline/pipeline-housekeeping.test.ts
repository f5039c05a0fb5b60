import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { MeanDeviationDetector } from './test-detector.js';

const MIN = 60_000;

describe('Pipeline housekeeping', () => {
  it('checks at most 10 000 series for idleness per tick, resuming where it stopped, so every idle series goes', async () => {
    const clock = { t: 1_000_000 };
    const p = new Pipeline({
      createDetector: () => new MeanDeviationDetector(),
      now: () => clock.t,
      idleTimeout: 10 * MIN,
      maxSeries: 30_000,
      maxSeriesPerMetric: 30_000,
      maxFuture: Number.POSITIVE_INFINITY,
    });
    for (let k = 0; k < 25_000; k++) p.push(`idle/s${k}`, 1, k);
    expect(p.stats.series).toBe(25_000);
    // Past the idle timeout; each point of the live series then runs one tick of housekeeping (a second apart).
    const tick = (i: number) => {
      clock.t += 1000;
      p.push('live/s', 10 + i, 1);
    };
    clock.t += 11 * MIN;
    tick(0);
    expect(p.stats.evictedIdle).toBeLessThanOrEqual(10_000);
    expect(p.stats.evictedIdle).toBeGreaterThan(0);
    tick(1);
    tick(2);
    tick(3);
    expect(p.stats.evictedIdle).toBe(25_000);
    expect(p.seriesKeys()).toEqual(['live/s']);
    await p.close();
  });
});
