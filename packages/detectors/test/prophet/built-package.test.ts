// Imports the BUILT package by name, as a user would (run `npm run build` first).
import { loadDetector } from '@vigil/core';
import { createDetector } from '@vigil/detectors';
import { Prophet, ProphetDetector } from '@vigil/detectors/prophet';
import { describe, expect, it } from 'vitest';
import { DAY, synthetic } from './synthetic.js';

describe('@vigil/detectors (built): prophet', () => {
  it('exports Prophet and ProphetDetector, registered for createDetector and loadDetector', async () => {
    const train = synthetic({ days: 14, slope: 0.5, daily: 8, weekly: 3, seed: 31 });
    const m = new Prophet({ uncertaintySamples: 100 }).fit(train);
    const f = m.predict(train.timestamps.subarray(0, DAY));
    expect(Object.keys(f.components).sort()).toEqual(['daily', 'weekly']);
    const d = createDetector('prophet', { uncertaintySamples: 100 });
    expect(d).toBeInstanceOf(ProphetDetector);
    await d.fit(train);
    const copy = loadDetector(JSON.parse(JSON.stringify(d.toJSON())));
    const s = await copy.score(train);
    expect(s.score).toEqual((await d.score(train)).score);
  });
});
