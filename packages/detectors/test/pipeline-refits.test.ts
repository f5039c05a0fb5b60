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
});
