/**
 * Registers every built-in kind with `@vigil/core`'s snapshot registry (`loadDetector`) and with `createDetector`.
 * Imported for its effect by each entry point of the package, so that any `import` of `@vigil/detectors` (or of a
 * subpath) makes every built-in kind loadable and creatable.
 */
import { registerDetector } from '@vigil/core';
import { ADAPTIVE_ENSEMBLE_VERSION, AdaptiveEnsemble } from './adaptive/adaptive-ensemble.js';
import type { AdaptiveEnsembleOptions } from './adaptive/options.js';
import { OPTION_NAMES, wantsCombiningEnsemble } from './detector-options.js';
import { EnsembleDetector, type EnsembleOptions } from './ensemble/ensemble.js';
import { registerFactory } from './factory-registry.js';
import { ISOLATION_FOREST_VERSION, IsolationForestDetector } from './isolation-forest/detector.js';
import { LSTM_VERSION, LstmDetector } from './lstm/detector.js';
import { PROPHET_SNAPSHOT_VERSION, ProphetDetector } from './prophet/detector.js';
import { MadDetector } from './statistical/mad.js';
import { ZScoreDetector } from './statistical/zscore.js';

registerDetector('zscore', (s) => ZScoreDetector.fromJSON(s), 1);
registerFactory('zscore', (o) => new ZScoreDetector(o), OPTION_NAMES.zscore);
registerDetector('mad', (s) => MadDetector.fromJSON(s), 1);
registerFactory('mad', (o) => new MadDetector(o), OPTION_NAMES.mad);
// 'ensemble' is the default AdaptiveEnsemble (snapshot version 2); given members (or a combine rule), the
// EnsembleDetector that combines them (version 1 snapshots, which keep loading).
registerDetector(
  'ensemble',
  (s) => (s.version === 1 ? EnsembleDetector.fromJSON(s) : AdaptiveEnsemble.fromJSON(s)),
  ADAPTIVE_ENSEMBLE_VERSION,
);
registerFactory(
  'ensemble',
  (o?: AdaptiveEnsembleOptions | EnsembleOptions) =>
    wantsCombiningEnsemble(o) ? new EnsembleDetector(o) : new AdaptiveEnsemble(o as AdaptiveEnsembleOptions),
  OPTION_NAMES.ensemble,
);
registerDetector('lstm', (s) => LstmDetector.fromJSON(s), LSTM_VERSION);
registerFactory('lstm', (o) => new LstmDetector(o), OPTION_NAMES.lstm);
registerDetector('prophet', (s) => ProphetDetector.fromJSON(s), PROPHET_SNAPSHOT_VERSION);
registerFactory('prophet', (o) => new ProphetDetector(o), OPTION_NAMES.prophet);
registerDetector('isolation-forest', (s) => IsolationForestDetector.fromJSON(s), ISOLATION_FOREST_VERSION);
registerFactory('isolation-forest', (o) => new IsolationForestDetector(o), OPTION_NAMES['isolation-forest']);
