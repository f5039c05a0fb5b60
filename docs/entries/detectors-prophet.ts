/**
 * Prophet's model as a forecaster (`Prophet`) and as a detector (`ProphetDetector`).
 *
 * @packageDocumentation
 * @module @vigil/detectors/prophet
 */
export * from '../../packages/detectors/src/prophet/index.js';
