/** Syscall counts, errors and latency per process and syscall, from raw_syscalls:sys_enter/sys_exit. */
import type { Meter } from '@opentelemetry/api';
import { requireInput } from '../errors.js';
import { SYSCALL_KEY, SYSCALL_STATS } from '../generated/layouts.js';
import type { BpfObject } from '../object/bpf-object.js';
import {
  AggregateProbe,
  type AggregateProbeOptions,
  type Series,
  validateAggregateOptions,
} from './aggregate-probe.js';
import { startProbe } from './event-probe.js';
import { setPidFilter, validatePid } from './filter.js';

/** Totals for one (process, syscall) pair since the probe started. */
export interface SyscallStats {
  pid: number;
  /** Syscall number of this architecture (x86-64: 0 read, 1 write, 110 getppid, …). */
  syscall: number;
  count: number;
  /** Calls that returned a negative errno. */
  errors: number;
  /** Summed time inside the call, in nanoseconds. */
  totalNs: number;
  /** Longest single call, in nanoseconds. */
  maxNs: number;
}

/** A snapshot of {@link watchSyscalls}. */
export interface SyscallSnapshot {
  /** Unix epoch milliseconds. */
  time: number;
  stats: SyscallStats[];
}

/** Options of {@link watchSyscalls}. */
export interface SyscallProbeOptions extends AggregateProbeOptions {
  /** Only this process; default every process. */
  pid?: number;
  /**
   * Where each thread's syscall start time lives: `task-storage` (task-local storage, about half the
   * overhead, needs a kernel whose tracepoint programs may use it), `hash` (a per-thread LRU hash, any
   * kernel), or `auto` (the first that loads); default `auto`.
   */
  startTimes?: 'auto' | 'task-storage' | 'hash';
  /** Publish `vigil.syscall.calls`, `vigil.syscall.errors` and `vigil.syscall.duration` (observable counters). */
  meter?: Meter;
}

/**
 * Loads the task-storage variant (kernels whose tracepoint programs may use task-local storage), else the
 * per-thread hash variant. Either way the same `stats` map is filled.
 */
function startSyscallProbe(pid: number | undefined, storage: 'auto' | 'task-storage' | 'hash'): BpfObject {
  const variant = (programs: [string, string], unusedMap: string) =>
    startProbe(
      'syscalls',
      programs.map((name) => ({ name })),
      {},
      (o) => {
        for (const p of o.programs) o.setAutoload(p.name, programs.includes(p.name));
        o.setAutocreate(unusedMap, false);
      },
      (o) => setPidFilter(o, pid),
    ).object;
  if (storage === 'hash') return variant(['handle_enter_by_tid', 'handle_exit_by_tid'], 'starts');
  try {
    return variant(['handle_enter', 'handle_exit'], 'starts_by_tid');
  } catch (e) {
    if (storage === 'task-storage') throw e;
    const code = (e as { code?: string }).code;
    if (code !== 'EBPF_VERIFIER' && code !== 'EBPF_FEATURE_MISSING' && code !== 'EBPF_SYSCALL') throw e;
    return variant(['handle_enter_by_tid', 'handle_exit_by_tid'], 'starts');
  }
}

/**
 * Starts counting syscalls. Per-CPU maps keep the hot path free of atomics; reads sum the CPUs.
 *
 * @throws {VigilEbpfError} the usual load errors.
 * @example
 * const sys = watchSyscalls({ pid: process.pid });
 * const top = sys.read().stats.sort((a, b) => b.totalNs - a.totalNs).slice(0, 5);
 */
export function watchSyscalls(options: SyscallProbeOptions = {}): AggregateProbe<SyscallSnapshot> & {
  /** Calls per second, per interval, summed over the watched processes. */
  callRate(): Series;
} {
  validateAggregateOptions(options);
  validatePid(options.pid);
  const startTimes = options.startTimes ?? 'auto';
  requireInput(
    startTimes === 'auto' || startTimes === 'task-storage' || startTimes === 'hash',
    'startTimes',
    "must be 'auto', 'task-storage' or 'hash'",
    'omit it (the probe picks task storage where the kernel allows it, else a hash).',
  );
  const object = startSyscallProbe(options.pid, startTimes);
  const stats = object.map('stats');
  const snapshot = (): SyscallSnapshot => {
    const out: SyscallStats[] = [];
    for (const [key, raw] of stats.entries()) {
      // struct syscall_stats: count, total_ns, max_ns, errors; counters add across CPUs, maxima take the max.
      let count = 0n,
        total = 0n,
        max = 0n,
        errors = 0n;
      for (const v of stats.splitPerCpu(raw)) {
        count += v.readBigUInt64LE(SYSCALL_STATS.count);
        total += v.readBigUInt64LE(SYSCALL_STATS.total_ns);
        const m = v.readBigUInt64LE(SYSCALL_STATS.max_ns);
        if (m > max) max = m;
        errors += v.readBigUInt64LE(SYSCALL_STATS.errors);
      }
      out.push({
        pid: key.readUInt32LE(SYSCALL_KEY.tgid),
        syscall: key.readUInt32LE(SYSCALL_KEY.id),
        count: Number(count),
        errors: Number(errors),
        totalNs: Number(total),
        maxNs: Number(max),
      });
    }
    return { time: Date.now(), stats: out };
  };
  const probe = new AggregateProbe(object, snapshot, options);
  const sum = (s: SyscallSnapshot, f: (x: SyscallStats) => number) => s.stats.reduce((a, x) => a + f(x), 0);
  if (options.meter) {
    const calls = options.meter.createObservableCounter('vigil.syscall.calls', {
      description: 'System calls.',
      unit: '{call}',
    });
    const errors = options.meter.createObservableCounter('vigil.syscall.errors', {
      description: 'System calls that failed.',
      unit: '{call}',
    });
    const duration = options.meter.createObservableCounter('vigil.syscall.duration', {
      description: 'Time spent in system calls.',
      unit: 's',
    });
    probe.observeWith(options.meter, [calls, errors, duration], (result, snap) => {
      for (const s of snap.stats) {
        const attrs = { 'process.pid': s.pid, 'system.syscall.number': s.syscall };
        result.observe(calls, s.count, attrs);
        result.observe(errors, s.errors, attrs);
        result.observe(duration, s.totalNs / 1e9, attrs);
      }
    });
  }
  return Object.assign(probe, {
    callRate: () =>
      probe.seriesOf(
        (cur, prev) =>
          (sum(cur, (x) => x.count) - sum(prev, (x) => x.count)) / ((cur.time - prev.time) / 1000),
      ),
  });
}
