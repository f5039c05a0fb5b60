/**
 * Vigil as a service: the `vigil` CLI's building blocks (receivers, configuration, outputs, state, cluster).
 *
 * @packageDocumentation
 * @module @vigil/server
 */
export * from '../../packages/server/src/index.js';
