import { registerDetector } from '@vigil/core';
import { registerFactory } from './create-detector.js';
import { PROPHET_SNAPSHOT_VERSION, ProphetDetector } from './prophet/detector.js';

export { createDetector, detectorKinds, registerFactory } from './create-detector.js';
export type {
  ProphetDetectorOptions,
  ProphetDetectorState,
  ResolvedProphetDetectorOptions,
} from './prophet/detector.js';
export { PROPHET_SNAPSHOT_VERSION, ProphetDetector } from './prophet/detector.js';
export type { MapFitInfo, MapParams } from './prophet/fit.js';
export type {
  ProphetForecast,
  ProphetFuture,
  ProphetHistory,
  ProphetHoliday,
  ProphetOptions,
  ProphetRegressor,
  ProphetSeasonality,
  ProphetState,
  ResolvedProphetOptions,
} from './prophet/prophet.js';
export { Prophet } from './prophet/prophet.js';
export type { FeatureMode } from './prophet/seasonality.js';
export type { Growth } from './prophet/trend.js';

registerDetector('prophet', (s) => ProphetDetector.fromJSON(s), PROPHET_SNAPSHOT_VERSION);
registerFactory('prophet', (o) => new ProphetDetector(o));
