import { Pipeline } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import { createDetector } from '../src/index.js';
import type { ProphetDetector } from '../src/prophet/detector.js';
import { DAY, synthetic } from './prophet/synthetic.js';

// The Pipeline's workers build detectors with the built package (npm test builds first), as a service would.
const MODULE = '@vigil/detectors';

describe('Pipeline refits in worker threads (real Prophet)', () => {
  it('refits off the event loop when the detector asks, and the swapped model scores like a synchronous refit', async () => {
    const options = { refitEvery: 150, uncertaintySamples: 50, seed: 4 };
    const s = synthetic({ days: 3, daily: 10, noise: 1, seed: 9 });
    const p = new Pipeline({
      detectors: { module: MODULE, spec: { kind: 'prophet', options }, threads: 1 },
      warmup: DAY,
      history: 2 * DAY,
      maxFuture: Number.POSITIVE_INFINITY,
    });
    let reference: ProphetDetector | undefined;
    let fits = 0;
    let turnsDuringRefits = 0;
    for (let i = 0; i < s.values.length; i++) {
      const r = p.push('web/latency', s.timestamps[i], s.values[i]);
      if (reference) {
        const want = reference.update(s.timestamps[i], s.values[i]);
        expect(r?.score).toBe(want.score);
        expect(r?.expected).toBe(want.expected);
        // update() only asks; the Pipeline starts the refit (so the reference needs none of its own).
        expect(reference.needsRefit).toBe(p.stats.runningFits + p.stats.queuedFits > 0);
      }
      if (p.stats.runningFits + p.stats.queuedFits === 0) continue;
      // A fit is under way in a worker: count event-loop turns until it is done (a fit on this thread would allow
      // none), then refit a reference here, synchronously, on the same history.
      const done = p.idle().then(() => true);
      let finished = false;
      void done.then(() => {
        finished = true;
      });
      while (!finished) {
        await new Promise((resolve) => setImmediate(resolve));
        turnsDuringRefits++;
      }
      fits++;
      const h = p.history('web/latency')!;
      reference = createDetector('prophet', options);
      await reference.fit({ timestamps: h.timestamps, values: h.values });
    }
    // The first fit after a day, then one each 150 points the detector asked for.
    expect(fits).toBe(1 + Math.floor((s.values.length - DAY) / 150));
    expect(p.stats).toMatchObject({ fits, fitFailures: 0, quarantined: 0 });
    expect(turnsDuringRefits).toBeGreaterThan(10 * fits);
    await p.close();
  });

  it("passes a real Prophet fit's progress from its worker thread to onFitProgress, and stops the fit of a series removed meanwhile", async () => {
    const s = synthetic({ days: 3, daily: 10, noise: 1, seed: 5 });
    const heard: Array<{ key: string; phase: string; fraction: number }> = [];
    const p = new Pipeline({
      detectors: {
        module: MODULE,
        // 'big' forecasts its table with 4 000 simulated paths per step: a fit of a second or more, which reports
        // its first step (the MAP fit) at once.
        spec: (key) => ({ kind: 'prophet', options: { uncertaintySamples: key === 'big' ? 4000 : 50 } }),
        threads: 1,
      },
      warmup: DAY,
      history: 2 * DAY,
      maxFuture: Number.POSITIVE_INFINITY,
      onFitProgress: (key, pr) => heard.push({ key, phase: pr.phase, fraction: pr.fraction }),
    });
    for (let i = 0; i < DAY; i++) p.push('web/latency', s.timestamps[i], s.values[i]);
    await p.idle();
    const prophet = heard.filter((h) => h.key === 'web/latency');
    // The first report (fraction 0, the MAP step) and the last (1) always cross; those between, at most every 50 ms.
    expect(prophet[0]).toMatchObject({ phase: 'map', fraction: 0 });
    expect(prophet.at(-1)?.fraction).toBe(1);
    expect(prophet.every((h, i) => i === 0 || h.fraction >= prophet[i - 1].fraction)).toBe(true);
    expect(p.stats.fits).toBe(1);
    // A long fit removed as soon as it reports: the pool stops it, it is counted neither as a fit nor as a failure,
    // and the thread fits the next series.
    for (let i = 0; i < DAY; i++) p.push('big', s.timestamps[i], s.values[i]);
    await new Promise<void>((resolve) => {
      const check = () => (heard.some((h) => h.key === 'big') ? resolve() : setTimeout(check, 5));
      check();
    });
    expect(p.removeSeries('big')).toBe(true);
    await p.idle();
    const fromBig = heard.filter((h) => h.key === 'big').length;
    for (let i = 0; i < DAY; i++) p.push('web/errors', s.timestamps[i], s.values[i]);
    await p.idle();
    expect(p.stats).toMatchObject({ fits: 2, fitFailures: 0 });
    expect(heard.filter((h) => h.key === 'big').length).toBe(fromBig);
    expect(heard.filter((h) => h.key === 'web/errors').at(-1)?.fraction).toBe(1);
    await p.close();
  });
});
