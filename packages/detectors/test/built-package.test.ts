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

describe('the entry points export the public surface only', () => {
  // A name added here is a promise to users; internals (building blocks, snapshot version constants, the
  // ensemble's evidence transform) stay importable only from inside the package.
  it('lists the runtime names of each entry point', async () => {
    const names = async (entry: string) => Object.keys(await import(entry)).sort();
    expect(await names('@vigil/detectors')).toEqual([
      'AdaptiveEnsemble',
      'EnsembleDetector',
      'IsolationForestDetector',
      'MadDetector',
      'ZScoreDetector',
      'createDetector',
      'detectorKinds',
      'refitIfDue',
      'registerFactory',
    ]);
    expect(await names('@vigil/detectors/prophet')).toEqual(['Prophet', 'ProphetDetector']);
    expect(await names('@vigil/detectors/lstm')).toEqual(['LstmDetector']);
    expect(await names('@vigil/detectors/maintenance')).toEqual([
      'RobustSeasonalForecaster',
      'detectLeak',
      'forecastExhaustion',
      'linearFit',
      'mannKendall',
      'planCapacity',
      'predictLinearEta',
      'prophetForecaster',
      'theilSen',
    ]);
  });

  it('a subpath gives the classes createDetector builds, and every built-in kind is registered', async () => {
    const { ProphetDetector } = await import('@vigil/detectors/prophet');
    expect(detectorKinds()).toEqual(['ensemble', 'isolation-forest', 'lstm', 'mad', 'prophet', 'zscore']);
    expect(createDetector('prophet')).toBeInstanceOf(ProphetDetector);
  });
});
