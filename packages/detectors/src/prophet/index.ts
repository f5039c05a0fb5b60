// `@vigil/detectors/prophet`: Prophet's model as a forecaster (`Prophet`) and as a detector (`ProphetDetector`).
import '../register.js';

export type {
  ProphetDetectorOptions,
  ProphetDetectorState,
  ResolvedProphetDetectorOptions,
} from './detector.js';
export { ProphetDetector } from './detector.js';
export type { MapFitInfo, MapParams } from './map-types.js';
export type {
  ProphetHoliday,
  ProphetOptions,
  ProphetRegressor,
  ProphetSeasonality,
  ResolvedProphetOptions,
} from './options.js';
export type { ProphetForecast, ProphetFuture } from './predict.js';
export type { ProphetHistory } from './prepare.js';
export { Prophet } from './prophet.js';
export type { FeatureMode } from './seasonality.js';
export type { ProphetState } from './state.js';
export type { Growth } from './trend.js';
