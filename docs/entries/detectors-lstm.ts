/**
 * The LSTM forecaster-detector on TensorFlow.js, loaded the first time a model needs it.
 *
 * @packageDocumentation
 * @module @vigil/detectors/lstm
 */
export * from '../../packages/detectors/src/lstm/index.js';
