import { createRequire } from 'node:module';
// The built package, resolved by name through the workspace link, as a user imports it.
import * as core from '@vigil/core';
import { describe, expect, it } from 'vitest';

describe('@vigil/core as published', () => {
  it('exposes its public surface from the ESM build', () => {
    expect(typeof core.toSeries).toBe('function');
    expect(typeof core.TailCalibrator.fit).toBe('function');
    expect(() => core.toSeries({ timestamps: [], values: [] })).toThrowError(core.VigilInputError);
  });

  it('ranks root causes and decides responses from the build', async () => {
    const ranking = core.rankRootCauses({
      events: [
        {
          seriesKey: 'web/errors',
          start: 300_000,
          end: 600_000,
          points: 5,
          peakScore: 1,
          peakTime: 300_000,
          severity: 'critical',
          observed: 9,
          expected: 1,
        },
        {
          seriesKey: 'db/errors',
          start: 0,
          end: 600_000,
          points: 9,
          peakScore: 1,
          peakTime: 0,
          severity: 'critical',
          observed: 9,
          expected: 1,
        },
      ],
    });
    expect(ranking.summary).toBe('db/errors rose 5 min before web/errors');
    const engine = new core.ResponseEngine({
      policies: [
        { name: 'p', on: 'forecast', match: { etaBelow: 1000 }, action: { type: 'exec', command: 'true' } },
      ],
    });
    const [d] = await engine.handleForecast({ seriesKey: 'db/disk', eta: 10, at: 0 });
    expect(d).toMatchObject({
      outcome: 'dry-run',
      detail: 'would exec true',
      reason: 'db/disk runs out in 10 ms',
    });
  });

  it('exposes the same surface from the CJS build, sharing one detector registry', () => {
    const cjs = createRequire(import.meta.url)('@vigil/core') as typeof core;
    expect(Object.keys(cjs).sort()).toEqual(Object.keys(core).sort());
    core.registerDetector('shared-registry-probe', () => {
      throw new Error('not restored in this test');
    });
    expect(cjs.registeredKinds()).toContain('shared-registry-probe');
  });
});
