// The public surface of `@vigil/detectors`: createDetector and the general-purpose detectors. Prophet, the LSTM
// and predictive maintenance have their own entry points: `@vigil/detectors/prophet`, `@vigil/detectors/lstm`,
// `@vigil/detectors/maintenance`. Any entry point registers every built-in kind (./register.ts).
import './register.js';

export type { AdaptiveEnsembleState } from './adaptive/adaptive-ensemble.js';
export { AdaptiveEnsemble } from './adaptive/adaptive-ensemble.js';
export type { AdaptiveEnsembleOptions, ResolvedAdaptiveEnsembleOptions } from './adaptive/options.js';
export { refitIfDue } from './common/refit-if-due.js';
export { createDetector } from './create-detector.js';
export type { DetectorKind, DetectorOptionsMap, DetectorTypeMap } from './detector-options.js';
export type { CombineRule } from './ensemble/combine.js';
export type { EnsembleMemberSpec, EnsembleOptions } from './ensemble/ensemble.js';
export { EnsembleDetector } from './ensemble/ensemble.js';
export type { OptionNames } from './factory-registry.js';
export { detectorKinds, registerFactory } from './factory-registry.js';
export type { IsolationForestSnapshot, IsolationForestState } from './isolation-forest/detector.js';
export { IsolationForestDetector } from './isolation-forest/detector.js';
export type { IsolationForestOptions, ResolvedIsolationForestOptions } from './isolation-forest/options.js';
export type { MadOptions } from './statistical/mad.js';
export { MadDetector } from './statistical/mad.js';
export type { ResolvedRollingOptions, RollingOptions, RollingState } from './statistical/rolling-detector.js';
export type { ZScoreOptions } from './statistical/zscore.js';
export { ZScoreDetector } from './statistical/zscore.js';
