import { loadDetector, VigilInputError } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import { createDetector } from '../../src/create-detector.js';
import '../../src/index.js';
import { LstmDetector } from '../../src/lstm/detector.js';
import { resolveLstmOptions } from '../../src/lstm/options.js';
import { seasonal, TINY } from './fixtures.js';

describe('LstmDetector options and errors', { timeout: 120_000 }, () => {
  it('fills in documented defaults, threshold 1 − targetFpr', () => {
    expect(resolveLstmOptions()).toEqual({
      window: 32,
      horizon: 1,
      units: 32,
      layers: 1,
      epochs: 50,
      batchSize: 64,
      learningRate: 0.005,
      validationSplit: 0.2,
      patience: 5,
      minDelta: 0,
      errorSmoothing: 8,
      replaceAnomalies: true,
      targetFpr: 1e-3,
      threshold: 0.999,
      seed: 0,
      backend: 'auto',
    });
    expect(new LstmDetector({ targetFpr: 0.01 }).threshold).toBeCloseTo(0.99, 15);
    expect(new LstmDetector({ threshold: 0.95 }).threshold).toBe(0.95);
    expect(createDetector('lstm', { window: 12 })).toBeInstanceOf(LstmDetector);
  });

  it.each([
    [{ window: 1 }, 'options.window'],
    [{ window: 2.5 }, 'options.window'],
    [{ horizon: 0 }, 'options.horizon'],
    [{ units: -3 }, 'options.units'],
    [{ epochs: Number.NaN }, 'options.epochs'],
    [{ learningRate: 0 }, 'options.learningRate'],
    [{ validationSplit: 0.9 }, 'options.validationSplit'],
    [{ errorSmoothing: 0.5 }, 'options.errorSmoothing'],
    [{ targetFpr: 1 }, 'options.targetFpr'],
    [{ threshold: 0 }, 'options.threshold'],
    [{ seed: 1.5 }, 'options.seed'],
    [{ backend: 'gpu' }, 'options.backend'],
    [{ replaceAnomalies: 'yes' }, 'options.replaceAnomalies'],
  ])('rejects %o with INVALID_OPTION naming %s', (options, field) => {
    try {
      new LstmDetector(options as object);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(VigilInputError);
      expect(e).toMatchObject({ code: 'INVALID_OPTION', field });
    }
  });

  it('refuses to score or stream before fit, and to fit on too little data', async () => {
    const d = new LstmDetector({ ...TINY, backend: 'cpu' });
    await expect(d.score(seasonal(50, 1))).rejects.toMatchObject({ code: 'NOT_FITTED' });
    expect(() => d.update(0, 1)).toThrow(expect.objectContaining({ code: 'NOT_FITTED' }));
    // window 8 + horizon 1 needs 9 points per window and 16 windows: 24 points.
    await expect(d.fit(seasonal(23, 1))).rejects.toMatchObject({ code: 'TOO_SHORT', field: 'train' });
    await expect(d.fit({ timestamps: [0, 1], values: [Number.NaN, Number.NaN] })).rejects.toMatchObject({
      code: 'ALL_NAN',
    });
    await expect(d.fit({ timestamps: [1, 0], values: [1, 2] })).rejects.toMatchObject({
      code: 'UNSORTED_TIMESTAMPS',
    });
    expect(d.fitted).toBe(false);
  });

  it('checks columns at score time and snapshots at load time', async () => {
    const s = seasonal(120, 1);
    const frame = {
      timestamps: s.timestamps,
      columns: ['cpu', 'mem'],
      values: [s.values, s.values.map((v) => v * 2)],
    };
    const d = new LstmDetector({ ...TINY, backend: 'cpu' });
    await d.fit(frame);
    await expect(d.score({ ...frame, columns: ['mem', 'cpu'] })).rejects.toMatchObject({
      code: 'COLUMN_MISMATCH',
    });
    await expect(d.score(s)).rejects.toMatchObject({ code: 'COLUMN_MISMATCH' });
    const snap = d.toJSON();
    expect(() => loadDetector({ ...snap, version: 2 })).toThrow(
      expect.objectContaining({ code: 'SNAPSHOT_VERSION' }),
    );
    const state = snap.state!;
    const broken = {
      ...snap,
      state: { ...state, weights: [{ ...state.weights[0], data: 'AAAA' }, ...state.weights.slice(1)] },
    };
    expect(() => loadDetector(broken)).toThrow(
      expect.objectContaining({ code: 'INVALID_SNAPSHOT', field: 'state.weights[0].data' }),
    );
    expect(() => loadDetector({ ...snap, options: { ...snap.options, units: 5 } })).toThrow(
      expect.objectContaining({ code: 'INVALID_SNAPSHOT', field: 'state.weights[0].shape' }),
    );
    const unfitted = loadDetector<LstmDetector>(new LstmDetector({ window: 12 }).toJSON());
    expect(unfitted.fitted).toBe(false);
    expect(unfitted.options.window).toBe(12);
  });
});
