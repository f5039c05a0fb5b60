/**
 * What this host offers eBPF, importable where the main entry would throw (no addon built).
 *
 * @packageDocumentation
 * @module @vigil/ebpf-native/environment
 */
export * from '../../packages/ebpf-native/src/environment-entry.js';
