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

  it('exposes the same surface from the CJS build, sharing one detector registry', () => {
    const cjs = createRequire(import.meta.url)('@vigil/core') as typeof core;
    expect(Object.keys(cjs).sort()).toEqual(Object.keys(core).sort());
    core.registerDetector('shared-registry-probe', () => {
      throw new Error('not restored in this test');
    });
    expect(cjs.registeredKinds()).toContain('shared-registry-probe');
  });
});
