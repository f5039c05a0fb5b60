import { type AnomalyEvent, Pipeline } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import { createDetector } from '../../src/index.js';
import { seasonal } from '../statistical/fixtures.js';

describe("the Pipeline with the recommended default (createDetector('ensemble'))", () => {
  it('fits after the one-day warm-up and opens one event for a spike on day 4 and nothing else', async () => {
    const s = seasonal(288 * 5, 21, 1, 10);
    s.values[288 * 4 + 40] += 15;
    const opened: AnomalyEvent[] = [];
    const pipeline = new Pipeline({
      createDetector: () => createDetector('ensemble'),
      warmup: 288,
      onEvent: (e, change) => {
        if (change === 'open') opened.push(e);
      },
    });
    for (let i = 0; i < s.values.length; i++) {
      pipeline.push('web/latency', s.timestamps[i], s.values[i]);
      if (i === 288) await pipeline.idle();
    }
    await pipeline.idle();
    expect(opened.map((e) => e.start)).toEqual([s.timestamps[288 * 4 + 40]]);
  });
});
