/** Run-queue latency histograms from tp_btf/sched_wakeup, sched_wakeup_new and sched_switch. */
import type { Meter } from '@opentelemetry/api';
import { HIST_KEY } from '../generated/layouts.js';
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
 * runqlat, a preempted task counts from its preemption.
 *
 * @throws {VigilEbpfError} the usual load errors; `EBPF_FEATURE_MISSING` on kernels without tp_btf (before 5.5).
 * @example
 * const rq = watchRunQueueLatency({ intervalMs: 1000 });
 * setTimeout(() => console.log('p99 ms', rq.quantileSeries(0.99).values), 10_000);
 */
export function watchRunQueueLatency(options: RunQueueProbeOptions = {}): RunQueueProbe {
  validateAggregateOptions(options);
  validatePid(options.pid);
  const { object } = startProbe(
    'runqlat',
    [
      { name: 'handle_wakeup' },
      { name: 'handle_wakeup_new' },
      { name: 'handle_switch' },
      { name: 'handle_exit' },
    ],
    {},
    undefined,
    (o) => setPidFilter(o, options.pid),
  );
  const hist = object.map('hist');
  const histAll = object.map('hist_all');
  // Snapshots are kept (maxHistory, an hour at 1 s): a process whose histogram did not change since the last
  // snapshot shares the last one's, so what is kept grows with what happened, not with every process every second.
  let last: RunQueueSnapshot | undefined;
  /** Exited processes' last histograms, oldest first, at most RETIRED_PROCESSES. */
  const retired = new Map<number, Log2Histogram>();
  const snapshot = (): RunQueueSnapshot => {
    const all = emptyLog2Histogram();
    const byPid = new Map<number, Log2Histogram>();
    for (const [key, raw] of histAll.entries()) {
      let n = 0;
      for (const v of histAll.splitPerCpu(raw)) n += Number(v.readBigUInt64LE(0));
      addToSlot(all, key.readUInt32LE(0), n);
    }
    for (const [key, raw] of hist.entries()) {
      let n = 0;
      for (const v of hist.splitPerCpu(raw)) n += Number(v.readBigUInt64LE(0));
      const id = key.readUInt32LE(HIST_KEY.id);
      let h = byPid.get(id);
      if (!h) byPid.set(id, (h = emptyLog2Histogram()));
      addToSlot(h, key.readUInt32LE(HIST_KEY.slot), n);
    }
    if (last) {
      for (const [id, h] of byPid) {
        const before = last.byPid.get(id);
        if (before && sameHistogram(h, before)) byPid.set(id, before);
      }
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
    last = { time: Date.now(), all: last && sameHistogram(all, last.all) ? last.all : all, byPid };
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
