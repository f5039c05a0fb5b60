/**
 * @vigil/ebpf-native: load eBPF programs from Node.js and turn kernel events into OpenTelemetry metrics
 * and Vigil series, with no change to the observed programs.
 *
 * Importing this entry loads the native addon and throws `EBPF_ADDON_UNAVAILABLE` (naming what the build
 * lacked and the apt-get line) when it cannot; `@vigil/ebpf-native/environment` checks without throwing.
 */
import { loadAddon } from './native/load-addon.js';

loadAddon();

export type { EbpfEnvironment } from './environment.js';
export { assertEbpfUsable, checkEnvironment } from './environment.js';
export type { EbpfErrorCode, VigilEbpfErrorDetails } from './errors.js';
export { VigilEbpfError } from './errors.js';
export { APT_INSTALL } from './native/load-addon.js';
export { bpfObjectPath } from './native/package-paths.js';
export { BpfLink } from './object/bpf-link.js';
export type { MapContents, MapUpdateMode } from './object/bpf-map.js';
export { BpfMap } from './object/bpf-map.js';
export type {
  MapInfo,
  OpenOptions,
  PerfEventTarget,
  ProgramInfo,
  UprobeTarget,
} from './object/bpf-object.js';
export { BpfObject } from './object/bpf-object.js';
export type { LaneReduction } from './object/per-cpu.js';
export { aggregatePerCpuU64, splitPerCpu, sumPerCpuU64, u64At } from './object/per-cpu.js';
export type { RecordBatch, RingBufferOptions, RingBufferStats } from './object/ring-buffer.js';
export { RingBuffer } from './object/ring-buffer.js';
export type { AggregateProbeOptions, Series } from './probes/aggregate-probe.js';
export { AggregateProbe } from './probes/aggregate-probe.js';
export type {
  BlockIoProbe,
  BlockIoProbeOptions,
  BlockIoSnapshot,
  BlockIoStats,
} from './probes/block-io-probe.js';
export { watchBlockIo } from './probes/block-io-probe.js';
export type { EventProbeOptions, EventProbeStats } from './probes/event-probe.js';
export { EventProbe } from './probes/event-probe.js';
export { eventCountSeries, eventSeries } from './probes/event-series.js';
export type { FileOpenEvent, FileOpenProbeOptions, WatchedPath } from './probes/file-open-probe.js';
export { watchFileOpens } from './probes/file-open-probe.js';
export type { Log2Histogram } from './probes/log2-histogram.js';
export {
  countAtLeast,
  emptyLog2Histogram,
  LOG2_SLOTS,
  log2Quantile,
  subtractHistograms,
} from './probes/log2-histogram.js';
export type { OomEvent, OomProbeOptions } from './probes/oom-probe.js';
export { watchOomKills } from './probes/oom-probe.js';
export type { ProcessEvent, ProcessProbeOptions } from './probes/process-probe.js';
export { watchProcesses } from './probes/process-probe.js';
export type { ProcessCount, ProcessSummary, ProcessSummaryOptions } from './probes/process-summary.js';
export { summarizeProcesses } from './probes/process-summary.js';
export type { RunQueueProbe, RunQueueProbeOptions, RunQueueSnapshot } from './probes/runqlat-probe.js';
export { watchRunQueueLatency } from './probes/runqlat-probe.js';
export type { StackProbeOptions, StackSample, StackSnapshot, UserFrame } from './probes/stack-probe.js';
export { sampleStacks } from './probes/stack-probe.js';
export type { SyscallProbeOptions, SyscallSnapshot, SyscallStats } from './probes/syscall-probe.js';
export { watchSyscalls } from './probes/syscall-probe.js';
export type { TcpEvent, TcpProbeOptions } from './probes/tcp-probe.js';
export { watchTcp } from './probes/tcp-probe.js';
export type {
  TcpFamilySummary,
  TcpSummary,
  TcpSummaryOptions,
  TcpSummaryProbe,
} from './probes/tcp-summary.js';
export { summarizeTcp } from './probes/tcp-summary.js';
export type { CpuProfile, ProfileCpuOptions, ProfileSample } from './profiling/cpu-profile.js';
export { symbolizeStacks, topFunctions } from './profiling/cpu-profile.js';
export { ElfSymbols } from './profiling/elf-symbols.js';
export type { FlameGraphOptions } from './profiling/flame-graph.js';
export { flameGraphSvg } from './profiling/flame-graph.js';
export { foldedStacks, parseFolded } from './profiling/folded.js';
export { PerfMap } from './profiling/perf-map.js';
export { encodePprof } from './profiling/pprof.js';
export { profileCpu } from './profiling/profile-cpu.js';
export type { ProfileFrame } from './profiling/symbolizer.js';
export { Symbolizer } from './profiling/symbolizer.js';
export type { GrpcCall, HttpRequest } from './tracing/http-request.js';
export type { RequestAggregate } from './tracing/request-aggregates.js';
export { HTTP_DURATION_BUCKETS } from './tracing/request-metrics.js';
export type { RequestKey, RequestMetric } from './tracing/request-series.js';
export { RequestSeries } from './tracing/request-series.js';
export type { RouteOptions } from './tracing/route.js';
export { OTHER_ROUTE, RouteNamer } from './tracing/route.js';
export type { HttpTracerOptions, HttpTracerStats } from './tracing/trace-http.js';
export { HttpTracer, traceHttp } from './tracing/trace-http.js';
