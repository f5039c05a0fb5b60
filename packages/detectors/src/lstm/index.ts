// `@vigil/detectors/lstm`: the LSTM forecaster-detector. TensorFlow.js is loaded the first time a model needs it,
// not by this import.
import '../register.js';

export type { BackendChoice, LstmBackend } from './backend.js';
export type { LstmSnapshot, LstmState, LstmTraining } from './detector.js';
export { LstmDetector } from './detector.js';
export type { LstmDetectorOptions, ResolvedLstmOptions } from './options.js';
