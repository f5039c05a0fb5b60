import { loadDetector, seriesFromStep } from '@vigil/core';
// The built package, by name, as a user imports it: importing it registers the built-in detectors.
import { createDetector, detectorKinds, MadDetector } from '@vigil/detectors';
import { describe, expect, it } from 'vitest';

describe('@vigil/detectors as published', () => {
  it('registers its detectors with core so snapshots restore by kind', async () => {
    expect(detectorKinds()).toEqual(expect.arrayContaining(['mad', 'zscore']));
    const values = Array.from({ length: 200 }, (_, i) => Math.sin(i / 5) + (i === 150 ? 8 : 0));
    const s = seriesFromStep(0, 1000, values);
    const d = createDetector('mad', { window: 20 });
    await d.fit(s);
    const copy = loadDetector(d.toJSON());
    expect(copy).toBeInstanceOf(MadDetector);
    expect((await copy.score(s)).score).toEqual((await d.score(s)).score);
  });
});
