/**
 * `@vigil/ebpf-native/environment`: what this host offers eBPF, importable where the main entry would
 * throw (no addon built), so callers can check first and then `await import('@vigil/ebpf-native')`.
 */
export type { EbpfEnvironment } from './environment.js';
export { assertEbpfUsable, checkEnvironment } from './environment.js';
export type { EbpfErrorCode, VigilEbpfErrorDetails } from './errors.js';
export { VigilEbpfError } from './errors.js';
export { APT_INSTALL } from './native/load-addon.js';
