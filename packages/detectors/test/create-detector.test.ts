import { VigilInputError } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import {
  AdaptiveEnsemble,
  createDetector,
  type DetectorKind,
  detectorKinds,
  EnsembleDetector,
  IsolationForestDetector,
  MadDetector,
  registerFactory,
  ZScoreDetector,
} from '../src/index.js';
import { LstmDetector } from '../src/lstm/index.js';
import { ProphetDetector } from '../src/prophet/index.js';

describe('createDetector', () => {
  it('builds each built-in kind as its class, with typed options', () => {
    const built: Record<DetectorKind, unknown> = {
      zscore: createDetector('zscore', { window: 30 }),
      mad: createDetector('mad', { window: 30, targetFpr: 1e-3 }),
      'isolation-forest': createDetector('isolation-forest', { nTrees: 10, seed: 1 }),
      prophet: createDetector('prophet', { weeklySeasonality: false }),
      lstm: createDetector('lstm', { window: 8 }),
      ensemble: createDetector('ensemble', { memory: 500 }),
    };
    expect(built.zscore).toBeInstanceOf(ZScoreDetector);
    expect(built.mad).toBeInstanceOf(MadDetector);
    expect(built['isolation-forest']).toBeInstanceOf(IsolationForestDetector);
    expect(built.prophet).toBeInstanceOf(ProphetDetector);
    expect(built.lstm).toBeInstanceOf(LstmDetector);
    expect(built.ensemble).toBeInstanceOf(AdaptiveEnsemble);
    expect(createDetector('ensemble', { members: [{ kind: 'mad' }], combine: 'max' })).toBeInstanceOf(
      EnsembleDetector,
    );
    expect(detectorKinds()).toEqual(Object.keys(built).sort());
  });

  it('rejects an unknown option key as INVALID_OPTION naming the key and the known ones', () => {
    const misspelt = { windw: 30 } as object;
    expect(() => createDetector('zscore' as string, misspelt)).toThrowError(
      expect.objectContaining({
        name: 'VigilInputError',
        code: 'INVALID_OPTION',
        field: 'options.windw',
        message: expect.stringMatching(
          /options\.windw is not an option of a 'zscore' detector; .*\bwindow\b/,
        ),
      }),
    );
    for (const [kind, options] of [
      ['mad', { window: 30, treshold: 0.99 }],
      ['isolation-forest', { ntrees: 10 }],
      ['prophet', { regressors: [] }], // a Prophet option the detector does not take
      ['lstm', { epoch: 3 }],
      ['ensemble', { memory: 500, combine: 'max' }], // combine picks EnsembleDetector, which has no memory
      ['ensemble', { members: [{ kind: 'mad', options: { windw: 3 } }] }], // checked for members too
    ] as const) {
      expect(
        () => createDetector(kind as string, options),
        `${kind} ${JSON.stringify(options)}`,
      ).toThrowError(
        expect.objectContaining({ code: 'INVALID_OPTION', field: expect.stringMatching(/^options\./) }),
      );
    }
  });

  it('rejects options that are not an object, and unknown kinds, with typed errors', () => {
    for (const bad of [5, 'window', null, [30]]) {
      expect(() => createDetector('mad' as string, bad as object)).toThrowError(
        expect.objectContaining({ code: 'INVALID_OPTION', field: 'options' }),
      );
    }
    expect(() => createDetector('toString')).toThrowError(VigilInputError);
    expect(() => createDetector(42 as unknown as string)).toThrowError(
      expect.objectContaining({ code: 'UNKNOWN_KIND', field: 'kind' }),
    );
  });

  it('keeps the runtime registry for extensions, with or without option names', () => {
    registerFactory(
      'test-mad-60',
      (o?: { scale?: number }) => new MadDetector({ window: 60 * (o?.scale ?? 1) }),
      ['scale'],
    );
    registerFactory('test-mad-any', (o?: object) => new MadDetector(o));
    expect(createDetector<MadDetector>('test-mad-60', { scale: 2 }).options.window).toBe(120);
    expect(() => createDetector('test-mad-60', { window: 3 })).toThrowError(
      expect.objectContaining({ code: 'INVALID_OPTION', field: 'options.window' }),
    );
    expect(createDetector<MadDetector>('test-mad-any', { window: 7 }).options.window).toBe(7);
  });
});
