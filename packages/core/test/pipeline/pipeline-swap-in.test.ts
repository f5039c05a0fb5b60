import { describe, expect, it } from 'vitest';
import type { PointScore } from '../../src/detector/detector.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import type { SeriesLike } from '../../src/series/series.js';
import { MeanDeviationDetector } from './test-detector.js';

const MIN = 60_000;

/** A detector whose fit waits for `gate` and whose update costs `costMs` of CPU (a slow model such as Prophet). */
class SlowDetector extends MeanDeviationDetector {
  updates = 0;
  constructor(
    readonly gate: Promise<void>,
    readonly costMs: number,
  ) {
    super();
  }
  override async fit(train: SeriesLike): Promise<void> {
    await this.gate;
    return super.fit(train);
  }
  override update(t: number, x: number | ArrayLike<number>): PointScore {
    const end = performance.now() + this.costMs;
    while (performance.now() < end) {}
    this.updates++;
    return super.update(t, x);
  }
}

describe('Pipeline swap-in', () => {
  it('replays the points that arrived during a fit in slices, without blocking the event loop for the replay', async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const made: SlowDetector[] = [];
    const p = new Pipeline({
      createDetector: () => {
        const d = new SlowDetector(gate, 0.25);
        made.push(d);
        return d;
      },
      warmup: 20,
      history: 2000,
      maxFuture: Number.POSITIVE_INFINITY,
    });
    const value = (i: number) => 10 + Math.sin(i / 5);
    for (let i = 0; i < 20; i++) p.push('svc/slow', i * MIN, value(i));
    // The fit is under way (waiting for the gate); 600 more points arrive meanwhile.
    for (let i = 20; i < 620; i++) p.push('svc/slow', i * MIN, value(i));
    expect(p.stats.runningFits).toBe(1);
    // Release the fit, and watch the event loop while the new model learns the 600 points (≈ 150 ms of updates).
    let longest = 0;
    let last = performance.now();
    let ticking = true;
    const tick = () => {
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    await new Promise((resolve) => setImmediate(resolve));
    const start = performance.now();
    release();
    await p.idle();
    const replay = performance.now() - start;
    // One more turn, so that a stall that ended with the replay is measured too.
    await new Promise((resolve) => setTimeout(resolve, 1));
    ticking = false;
    const [d] = made;
    expect(d.updates).toBe(600);
    expect(p.stats.fits).toBe(1);
    // The next point is scored by the new model, which has learnt everything before it.
    expect(p.push('svc/slow', 620 * MIN, value(620))?.status).toBe('scored');
    expect(d.updates).toBe(601);
    // In one go the loop would stall for the whole replay; in slices the longest stall is a small part of it.
    expect(longest / replay).toBeLessThan(0.25);
    await p.close();
  });
});
