/**
 * Typed Kubernetes manifests for Beyla/OBI, Tetragon, Parca, Pixie, the OpenTelemetry Collector and Vigil, the stack composer and its validation.
 *
 * @packageDocumentation
 * @module @vigil/deploy-manifests
 */
export * from '../../packages/deploy-manifests/src/index.js';
