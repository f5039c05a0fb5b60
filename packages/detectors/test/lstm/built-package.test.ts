import { loadDetector } from '@vigil/core';
// The built package, by name, as a user imports it.
import { createDetector, detectorKinds } from '@vigil/detectors';
import { LstmDetector } from '@vigil/detectors/lstm';
import { describe, expect, it } from 'vitest';
import { seasonal, TINY } from './fixtures.js';

describe('@vigil/detectors as published: lstm', { timeout: 120_000 }, () => {
  it('creates, fits on the CPU backend and restores an lstm detector by kind', async () => {
    expect(detectorKinds()).toContain('lstm');
    const d = createDetector<LstmDetector>('lstm', { ...TINY, backend: 'cpu' });
    const s = seasonal(120, 3);
    await d.fit(s);
    expect(d.backend).toBe('cpu');
    const copy = loadDetector<LstmDetector>(JSON.parse(JSON.stringify(d)));
    expect(copy).toBeInstanceOf(LstmDetector);
    expect((await copy.score(s)).score).toEqual((await d.score(s)).score);
  });
});
