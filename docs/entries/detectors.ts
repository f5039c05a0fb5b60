/**
 * `createDetector` and the general-purpose detectors: z-score, MAD, isolation forest, the adaptive and the combining ensemble.
 *
 * @packageDocumentation
 * @module @vigil/detectors
 */
export * from '../../packages/detectors/src/index.js';
