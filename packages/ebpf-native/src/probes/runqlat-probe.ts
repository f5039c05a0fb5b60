/** Run-queue latency histograms from tp_btf/sched_switch and the scheduler's own run-queue stamps. */
import type { Meter } from '@opentelemetry/api';
import { ChangedRows } from '../object/changed-rows.js';
import { sumPerCpuU64, u64At } from '../object/per-cpu.js';
import {
  AggregateProbe,
  type AggregateProbeOptions,
  type Series,
  validateAggregateOptions,
} from './aggregate-probe.js';
import { startProbe } from './event-probe.js';
import { setPidFilter, validatePid } from './filter.js';
import {
  addToSlot,
  emptyLog2Histogram,
  LOG2_SLOTS,
  type Log2Histogram,
  log2Quantile,
  sameHistogram,
  subtractHistograms,
} from './log2-histogram.js';

/** How many exited processes a run-queue snapshot keeps (their last histogram), the most recent ones. */
export const RETIRED_PROCESSES = 1024;

/** A snapshot of {@link watchRunQueueLatency}: cumulative histograms since start. */
export interface RunQueueSnapshot {
  /** Unix epoch milliseconds. */
  time: number;
  /** Every task's wait from becoming runnable to running. */
  all: Log2Histogram;
  /**
   * The same per process (thread group id): every process alive, and the last 1 024 that
   * exited since the probe started, each with its histogram as of the last snapshot before it exited (the
   * kernel forgets a process when its last thread exits; the waits of its last interval are only in `all`).
   */
  byPid: Map<number, Log2Histogram>;
  /**
   * Waits in `all` but in no process's histogram because the kernel's per-process table was full (8 192
   * processes alive at once).
   */
  unattributed: number;
}

/** Options of {@link watchRunQueueLatency}. */
export interface RunQueueProbeOptions extends AggregateProbeOptions {
  /** Only this process; default every process. */
  pid?: number;
  /** Publish `vigil.sched.runqueue.latency` (a histogram with power-of-two bucket bounds, in seconds). */
  meter?: Meter;
}

/** The run-queue probe's handle: snapshots plus quantile series. */
export type RunQueueProbe = AggregateProbe<RunQueueSnapshot> & {
  /** The q-quantile of run-queue latency per interval, in milliseconds (NaN for an interval without samples). */
  quantileSeries(q: number): Series;
};

/**
 * Starts measuring run-queue (scheduler) latency: how long runnable tasks wait for a CPU. Like BCC's
 * runqlat, a preempted task counts from its preemption. The wait is read from the scheduler's own stamp
 * (`sched_info.last_queued`, CONFIG_SCHED_INFO, which /proc/PID/schedstat reports from) at the switch that runs
 * the task, so only `sched_switch` is probed; a task moved to another CPU while waiting counts from the move.
 *
 * @throws {VigilEbpfError} the usual load errors; `EBPF_FEATURE_MISSING` on kernels without tp_btf (before 5.5);
 *   a load error naming `sched_info` or `cfs_rq` on a kernel built without CONFIG_SCHED_INFO or
 *   CONFIG_FAIR_GROUP_SCHED.
 * @example
 * const rq = watchRunQueueLatency({ intervalMs: 1000 });
 * setTimeout(() => console.log('p99 ms', rq.quantileSeries(0.99).values), 10_000);
 */
export function watchRunQueueLatency(options: RunQueueProbeOptions = {}): RunQueueProbe {
  validateAggregateOptions(options);
  validatePid(options.pid);
  const { object } = startProbe(
    'runqlat',
    [{ name: 'handle_switch' }, { name: 'handle_exit' }],
    {},
    undefined,
    (o) => setPidFilter(o, options.pid),
  );
  const hist = object.map('hist');
  const histAll = object.map('hist_all');
  const overflow = object.map('overflow');
  // Snapshots are kept (maxHistory, an hour at 1 s): a process whose histogram did not change since the last
  // snapshot shares the last one's, so what is kept grows with what happened, not with every process every second.
  // Read every second, so nothing is allocated per process unless its histogram changed.
  let last: RunQueueSnapshot | undefined;
  /** Exited processes' last histograms, oldest first, at most RETIRED_PROCESSES. */
  const retired = new Map<number, Log2Histogram>();
  /** Which processes' rows changed since the last read of the per-process map. */
  const changed = new ChangedRows<number>();
  const snapshot = (): RunQueueSnapshot => {
    const rows = histAll.readAll();
    let all = emptyLog2Histogram();
    for (let i = 0; i < rows.count; i++)
      addToSlot(all, rows.keys.readUInt32LE(i * 4), sumPerCpuU64(rows.values, i, 0, rows));
    if (last && sameHistogram(all, last.all)) all = last.all;
    const byPid = new Map<number, Log2Histogram>();
    const procs = hist.readAll();
    const stride = procs.valueStride;
    changed.begin(procs);
    for (let i = 0; i < procs.count; i++) {
      const id = procs.keys.readUInt32LE(i * 4);
      // Unchanged since the last read (same bytes): the last snapshot's histogram.
      const before = last?.byPid.get(id);
      if (changed.unchanged(id, i) && before) {
        byPid.set(id, before);
        continue;
      }
      const h = emptyLog2Histogram();
      for (let slot = 0; slot < LOG2_SLOTS; slot++)
        addToSlot(h, slot, u64At(procs.values, i * stride + slot * 8));
      byPid.set(id, h);
    }
    changed.end();
    if (last) {
      for (const [id, h] of last.byPid) {
        if (byPid.has(id) || retired.has(id)) continue;
        retired.set(id, h);
        if (retired.size > RETIRED_PROCESSES) retired.delete(retired.keys().next().value!);
      }
    }
    for (const [id, h] of retired) {
      if (byPid.has(id))
        retired.delete(id); // the pid belongs to a new process now
      else byPid.set(id, h);
    }
    const lost = overflow.readAll();
    last = {
      time: Date.now(),
      all,
      byPid,
      unattributed: lost.count ? sumPerCpuU64(lost.values, 0, 0, lost) : 0,
    };
    return last;
  };
  const probe = new AggregateProbe(object, snapshot, options);
  if (options.meter) {
    // The kernel keeps counts per power of two; re-recording every sample into an SDK histogram would cost
    // as much as the events themselves, so export the last interval's quantiles as a gauge instead.
    const gauge = options.meter.createObservableGauge('vigil.sched.runqueue.latency', {
      description: 'Run-queue latency quantile over the last interval (log2 resolution).',
      unit: 's',
    });
    gauge.addCallback((result) => {
      const h = probe.history;
      if (h.length < 2) return;
      const delta = subtractHistograms(h[h.length - 1].all, h[h.length - 2].all);
      for (const q of [0.5, 0.9, 0.99]) {
        const v = log2Quantile(delta, q);
        if (Number.isFinite(v)) result.observe(v / 1e9, { quantile: q });
      }
    });
  }
  return Object.assign(probe, {
    quantileSeries: (q: number) =>
      probe.seriesOf((cur, prev) => log2Quantile(subtractHistograms(cur.all, prev.all), q) / 1e6),
  });
}
