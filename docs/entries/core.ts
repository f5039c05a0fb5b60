/**
 * Series and frames, the Detector contract, calibration, alerting, the Pipeline, OTLP translation, root-cause ranking and the response engine.
 *
 * @packageDocumentation
 * @module @vigil/core
 */
export * from '../../packages/core/src/index.js';
