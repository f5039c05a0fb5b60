/**
 * Process execs and exits as counters (the process probe's summary mode, bpf/process.bpf.c): per
 * executable name, execs, and exits per exit code and signal with log2 histograms of lifetimes — counted
 * in a per-CPU kernel hash and read on an interval, so that no event of the machine reaches user space.
 * What the Vigil series and the `vigil.process.*` counters need; `watchProcesses` delivers each event
 * (with pid, argv, filename) instead, at a cost per event.
 */
import type { Meter } from '@opentelemetry/api';
import { PROCESS_CONFIG, PROCESS_SUMMARY, PROCESS_SUMMARY_KEY } from '../generated/layouts.js';
import { ChangedRows } from '../object/changed-rows.js';
import { sumPerCpuU64 } from '../object/per-cpu.js';
import { AggregateProbe, type AggregateProbeOptions, validateAggregateOptions } from './aggregate-probe.js';
import { cString } from './clock.js';
import { startProbe } from './event-probe.js';
import { addToSlot, emptyLog2Histogram, type Log2Histogram } from './log2-histogram.js';

/** Processes of one kind since the probe started. */
export interface ProcessCount {
  type: 'exec' | 'exit';
  /** Executable name (the kernel's 15-byte `comm`); `_OTHER` once the kernel's table of 4096 kinds is full. */
  comm: string;
  /** exit: exit code (0–255), 0 when killed by a signal. */
  exitCode: number;
  /** exit: terminating signal, 0 for a normal exit. */
  signal: number;
  count: number;
  /** exit: fork to exit, in ns. */
  lifetime: Log2Histogram;
}

/** A snapshot of {@link summarizeProcesses}: cumulative counts since start. */
export interface ProcessSummary {
  /** Unix epoch milliseconds. */
  time: number;
  execs: number;
  exits: number;
  /** Exits with a non-zero code or a signal. */
  failures: number;
  counts: ProcessCount[];
}

/** Options of {@link summarizeProcesses}. */
export interface ProcessSummaryOptions extends AggregateProbeOptions {
  /**
   * Publish observable `vigil.process.execs` and `vigil.process.exits` (`process.executable.name`,
   * `process.exit.code`, `process.exit.signal`).
   */
  meter?: Meter;
}

const EXEC = 1;

/**
 * Starts the process probe in summary mode: execs and exits per executable name and exit status,
 * counted in the kernel and read every `intervalMs`.
 *
 * @throws {VigilEbpfError} `EBPF_INPUT` for a bad option (before anything is loaded); the usual load errors.
 * @example
 * const procs = summarizeProcesses();
 * const failuresPerInterval = procs.seriesOf((cur, prev) => cur.failures - prev.failures);
 */
export function summarizeProcesses(options: ProcessSummaryOptions = {}): AggregateProbe<ProcessSummary> {
  validateAggregateOptions(options);
  const { object } = startProbe(
    'process',
    [{ name: 'handle_exec' }, { name: 'handle_exit' }],
    {},
    undefined,
    (o) => {
      const config = Buffer.alloc(PROCESS_CONFIG.size);
      config.writeUInt32LE(1, PROCESS_CONFIG.summary);
      o.map('process_config').update(0, config);
    },
  );
  const map = object.map('summary');
  const K = PROCESS_SUMMARY_KEY;
  const V = PROCESS_SUMMARY;
  // A count that did not change since the last snapshot is the last one's object (snapshots are kept, and
  // most executables' counts stand still between two of them).
  let last = new Map<string, ProcessCount>();
  /** Which keys' rows changed since the last read. */
  const changed = new ChangedRows<string>();
  const snapshot = (): ProcessSummary => {
    const out: ProcessSummary = { time: Date.now(), execs: 0, exits: 0, failures: 0, counts: [] };
    const now = new Map<string, ProcessCount>();
    // Read whole and every second: a count that stands still costs no object at all.
    const rows = map.readAll();
    changed.begin(rows);
    const keys = rows.keys;
    const lifetimeSlots = (V.size - V.slots) / 8;
    for (let i = 0; i < rows.count; i++) {
      const at = i * map.keySize;
      const exec = keys.readUInt32LE(at + K.kind) === EXEC;
      const id = keys.toString('latin1', at, at + map.keySize);
      const count = sumPerCpuU64(rows.values, i, V.count, rows);
      const before = last.get(id);
      // Unchanged since the last read (same bytes): the last snapshot's object.
      const same = changed.unchanged(id, i) && before !== undefined;
      let kept = before!;
      if (!same) {
        const status = keys.readInt32LE(at + K.exit_status);
        kept = {
          type: exec ? 'exec' : 'exit',
          comm: cString(keys.subarray(at, at + map.keySize), K.comm, K.comm + 16) || '_OTHER',
          exitCode: (status >> 8) & 0xff,
          signal: status & 0x7f,
          count,
          lifetime: emptyLog2Histogram(),
        };
        for (let slot = 0; !exec && slot < lifetimeSlots; slot++)
          addToSlot(kept.lifetime, slot, sumPerCpuU64(rows.values, i, V.slots + 8 * slot, rows));
      }
      now.set(id, kept);
      out.counts.push(kept);
      if (exec) out.execs += count;
      else {
        out.exits += count;
        if (kept.exitCode !== 0 || kept.signal !== 0) out.failures += count;
      }
    }
    last = now;
    changed.end();
    return out;
  };
  let probe: AggregateProbe<ProcessSummary>;
  try {
    probe = new AggregateProbe(object, snapshot, options);
  } catch (e) {
    object.close();
    throw e;
  }
  if (options.meter) {
    const meter = options.meter;
    const execs = meter.createObservableCounter('vigil.process.execs', {
      description: 'Programs started with execve.',
      unit: '{process}',
    });
    const exits = meter.createObservableCounter('vigil.process.exits', {
      description: 'Processes that exited.',
      unit: '{process}',
    });
    probe.observeWith(meter, [execs, exits], (result, s) => {
      for (const c of s.counts) {
        if (c.type === 'exec') result.observe(execs, c.count, { 'process.executable.name': c.comm });
        else
          result.observe(exits, c.count, {
            'process.executable.name': c.comm,
            'process.exit.code': c.exitCode,
            'process.exit.signal': c.signal,
          });
      }
    });
  }
  return probe;
}
