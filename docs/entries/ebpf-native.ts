/**
 * eBPF telemetry: an N-API addon over libbpf with CO-RE probes, HTTP/gRPC tracing and CPU profiles.
 *
 * @packageDocumentation
 * @module @vigil/ebpf-native
 */
export * from '../../packages/ebpf-native/src/index.js';
