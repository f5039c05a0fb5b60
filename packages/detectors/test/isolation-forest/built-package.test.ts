import { loadDetector } from '@vigil/core';
import { IsolationForestDetector } from '@vigil/detectors';
import { describe, expect, it } from 'vitest';
import { plantedOutliers, rocAuc } from './fixtures.js';

// Seeded fits of thousands of rows take a few seconds on a shared 2-core CI machine, beyond vitest's 5 s default.
const FIT_TIMEOUT_MS = 30_000;

describe('@vigil/detectors (built) isolation-forest', { timeout: FIT_TIMEOUT_MS }, () => {
  it('fits, scores and restores through loadDetector', async () => {
    const data = plantedOutliers({ n: 2000, d: 4, seed: 77 });
    const det = new IsolationForestDetector({ seed: 1 });
    expect(det.kind).toBe('isolation-forest');
    await det.fit(data);
    const scores = await det.score(data);
    expect(rocAuc(scores.score, data.labels)).toBeGreaterThanOrEqual(0.95);
    const copy = loadDetector(JSON.parse(JSON.stringify(det.toJSON())));
    expect((await copy.score(data)).score).toEqual(scores.score);
  });
});
