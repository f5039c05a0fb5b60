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

export type { AdaptiveEnsembleState } from './adaptive/adaptive-ensemble.js';
export { ADAPTIVE_ENSEMBLE_VERSION, AdaptiveEnsemble } from './adaptive/adaptive-ensemble.js';
export { autocorrelation, DAY_MS, detectPeriod, typicalStep, WEEK_MS } from './adaptive/detect-period.js';
export { EventGate } from './adaptive/event-gate.js';
export type { AdaptiveEnsembleOptions, ResolvedAdaptiveEnsembleOptions } from './adaptive/options.js';
export type { RecentDistributionState } from './adaptive/recent-distribution.js';
export { RecentDistribution } from './adaptive/recent-distribution.js';
export { refitIfDue } from './common/refit-if-due.js';
export { createDetector } from './create-detector.js';
export type { DetectorKind, DetectorOptionsMap, DetectorTypeMap } from './detector-options.js';
export type { CombineRule } from './ensemble/combine.js';
export { combine, evidence, fitLogistic, MAX_EVIDENCE } from './ensemble/combine.js';
export type { EnsembleMemberSpec, EnsembleOptions } from './ensemble/ensemble.js';
export {
  DEFAULT_ENSEMBLE_MEMBERS,
  ENSEMBLE_SNAPSHOT_VERSION,
  EnsembleDetector,
} from './ensemble/ensemble.js';
export type { OptionNames } from './factory-registry.js';
export { detectorKinds, registerFactory } from './factory-registry.js';
export { averagePathLength } from './isolation-forest/average-path-length.js';
export type { IsolationForestSnapshot, IsolationForestState } from './isolation-forest/detector.js';
export { ISOLATION_FOREST_VERSION, IsolationForestDetector } from './isolation-forest/detector.js';
export type { IsolationForestOptions, ResolvedIsolationForestOptions } from './isolation-forest/options.js';
export { RollingFeatures } from './isolation-forest/series-features.js';
export type { BackendChoice, LstmBackend } from './lstm/backend.js';
export type { LstmSnapshot, LstmState, LstmTraining } from './lstm/detector.js';
export { LSTM_VERSION, LstmDetector } from './lstm/detector.js';
export type { LstmDetectorOptions, ResolvedLstmOptions } from './lstm/options.js';
export type { Cycle, CycleExtrema, CycleExtremaOptions } from './maintenance/cycle-extrema.js';
export { cycleExtrema } from './maintenance/cycle-extrema.js';
export type { LeakOptions, LeakReport, LeakVerdict } from './maintenance/detect-leak.js';
export { detectLeak } from './maintenance/detect-leak.js';
export type { Drop, FindDropsOptions } from './maintenance/find-drops.js';
export { dropThreshold, findDrops } from './maintenance/find-drops.js';
export { findLevelDrops } from './maintenance/find-level-drops.js';
export type {
  ExhaustionForecast,
  ExhaustionMethod,
  ExhaustionOptions,
} from './maintenance/forecast-exhaustion.js';
export { forecastExhaustion } from './maintenance/forecast-exhaustion.js';
export { kendallVarianceS } from './maintenance/kendall-variance.js';
export type { MannKendallOptions, MannKendallResult } from './maintenance/mann-kendall.js';
export { mannKendall } from './maintenance/mann-kendall.js';
export type { CapacityOptions, CapacityPlan } from './maintenance/plan-capacity.js';
export { planCapacity } from './maintenance/plan-capacity.js';
export type { LinearFit } from './maintenance/predict-linear.js';
export { linearFit, predictLinearEta } from './maintenance/predict-linear.js';
export { prophetForecaster } from './maintenance/prophet-forecaster.js';
export type {
  ForecastBand,
  RobustSeasonalForecasterOptions,
  SeasonalForecaster,
  TrendSummary,
} from './maintenance/seasonal-forecaster.js';
export { RobustSeasonalForecaster } from './maintenance/seasonal-forecaster.js';
export type { TheilSenFit, TheilSenOptions } from './maintenance/theil-sen.js';
export { theilSen } from './maintenance/theil-sen.js';
export type {
  ProphetDetectorOptions,
  ProphetDetectorState,
  ResolvedProphetDetectorOptions,
} from './prophet/detector.js';
export { PROPHET_SNAPSHOT_VERSION, ProphetDetector } from './prophet/detector.js';
export type { MapFitInfo, MapParams } from './prophet/map-types.js';
export type {
  ProphetHoliday,
  ProphetOptions,
  ProphetRegressor,
  ProphetSeasonality,
  ResolvedProphetOptions,
} from './prophet/options.js';
export type { ProphetForecast, ProphetFuture } from './prophet/predict.js';
export type { ProphetHistory } from './prophet/prepare.js';
export { Prophet } from './prophet/prophet.js';
export type { FeatureMode } from './prophet/seasonality.js';
export type { ProphetState } from './prophet/state.js';
export type { Growth } from './prophet/trend.js';
export type { MadOptions } from './statistical/mad.js';
export { MAD_TO_SIGMA, MadDetector } from './statistical/mad.js';
export type { ResolvedRollingOptions, RollingOptions, RollingState } from './statistical/rolling-detector.js';
export { ROLLING_SNAPSHOT_VERSION } from './statistical/rolling-detector.js';
export { medianInPlace, selectKth } from './statistical/select.js';
export type { ZScoreOptions } from './statistical/zscore.js';
export { ZScoreDetector } from './statistical/zscore.js';
export { logNormalTail } from './stats/log-normal-tail.js';
export { normalCdf, normalQuantile } from './stats/normal-distribution.js';

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
