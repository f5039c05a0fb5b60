/**
 * Predictive maintenance: time to exhaustion, leak detection, capacity planning, and the trend statistics behind them.
 *
 * @packageDocumentation
 * @module @vigil/detectors/maintenance
 */
export * from '../../packages/detectors/src/maintenance/index.js';
