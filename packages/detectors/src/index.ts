export const placeholder = true;

import { registerDetector } from '@vigil/core';
import { registerFactory } from './create-detector.js';
import { ISOLATION_FOREST_VERSION, IsolationForestDetector } from './isolation-forest/detector.js';

export { averagePathLength } from './isolation-forest/average-path-length.js';
export type {
  IsolationForestSnapshot,
  IsolationForestState,
} from './isolation-forest/detector.js';
export { ISOLATION_FOREST_VERSION, IsolationForestDetector } from './isolation-forest/detector.js';
export type { IsolationForestOptions, ResolvedIsolationForestOptions } from './isolation-forest/options.js';
export { RollingFeatures } from './isolation-forest/series-features.js';

registerDetector('isolation-forest', (s) => IsolationForestDetector.fromJSON(s), ISOLATION_FOREST_VERSION);
registerFactory('isolation-forest', (o) => new IsolationForestDetector(o));
