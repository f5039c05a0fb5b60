import { registerDetector } from '@vigil/core';
import { registerFactory } from './create-detector.js';
import { LSTM_VERSION, LstmDetector } from './lstm/detector.js';
import { MadDetector } from './statistical/mad.js';
import { ZScoreDetector } from './statistical/zscore.js';

export { createDetector, detectorKinds, registerFactory } from './create-detector.js';
export type { BackendChoice, LstmBackend } from './lstm/backend.js';
export type { LstmSnapshot, LstmState, LstmTraining } from './lstm/detector.js';
export { LSTM_VERSION, LstmDetector } from './lstm/detector.js';
export type { LstmDetectorOptions, ResolvedLstmOptions } from './lstm/options.js';
export type { MadOptions } from './statistical/mad.js';
export { MAD_TO_SIGMA, MadDetector } from './statistical/mad.js';
export type { ResolvedRollingOptions, RollingOptions, RollingState } from './statistical/rolling-detector.js';
export { ROLLING_SNAPSHOT_VERSION } from './statistical/rolling-detector.js';
export { medianInPlace, selectKth } from './statistical/select.js';
export type { ZScoreOptions } from './statistical/zscore.js';
export { ZScoreDetector } from './statistical/zscore.js';

registerDetector('zscore', (s) => ZScoreDetector.fromJSON(s), 1);
registerFactory('zscore', (o) => new ZScoreDetector(o));
registerDetector('mad', (s) => MadDetector.fromJSON(s), 1);
registerFactory('mad', (o) => new MadDetector(o));
registerDetector('lstm', (s) => LstmDetector.fromJSON(s), LSTM_VERSION);
registerFactory('lstm', (o) => new LstmDetector(o));
