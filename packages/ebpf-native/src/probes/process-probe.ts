/** Process exec and exit events from sched:sched_process_exec and sched:sched_process_exit. */
import type { Meter } from '@opentelemetry/api';
import { PROCESS_EVENT } from '../generated/layouts.js';
import { cString, monotonicToEpochMs } from './clock.js';
import { EventProbe, type EventProbeOptions, startProbe } from './event-probe.js';

/** A process started a new program (execve) or exited. */
export type ProcessEvent =
  | {
      type: 'exec';
      /** Unix epoch milliseconds. */
      time: number;
      pid: number;
      ppid: number;
      uid: number;
      /** Task name after exec (first 15 bytes of the program name). */
      comm: string;
      /** Path passed to execve. */
      filename: string;
      /** Arguments, argv[0] first; at most 511 bytes in total are captured. */
      argv: string[];
    }
  | {
      type: 'exit';
      time: number;
      pid: number;
      ppid: number;
      uid: number;
      comm: string;
      /** Exit code (0–255); 0 when killed by a signal. */
      exitCode: number;
      /** Terminating signal number, or 0 for a normal exit. */
      signal: number;
      /** Milliseconds from the process's start (fork) to its exit. */
      lifetimeMs: number;
    };

/** Options of {@link watchProcesses}. */
export interface ProcessProbeOptions extends EventProbeOptions {
  /** Publish `vigil.process.execs`, `vigil.process.exits` and `vigil.process.lifetime` through this meter. */
  meter?: Meter;
}

const EXEC = 1;
const EXIT = 2;

/**
 * Starts the process probe: every exec and process exit on the host, with argv, exit code and lifetime.
 *
 * @throws {VigilEbpfError} `EBPF_ADDON_UNAVAILABLE`, `EBPF_PERMISSION`, `EBPF_TRACEFS`, `EBPF_NO_BTF`, `EBPF_TRACEPOINT_MISSING`.
 * @example
 * const probe = watchProcesses();
 * for await (const e of probe) if (e.type === 'exit' && e.exitCode !== 0) console.log(e.comm, e.exitCode);
 */
export function watchProcesses(options: ProcessProbeOptions = {}): EventProbe<ProcessEvent> {
  const { object } = startProbe('process', [{ name: 'handle_exec' }, { name: 'handle_exit' }], options);
  const toEpochMs = monotonicToEpochMs();
  const L = PROCESS_EVENT;
  const decode = (b: Buffer, s: number): ProcessEvent | undefined => {
    const time = toEpochMs(b.readBigUInt64LE(s + L.ts_ns));
    const kind = b.readUInt32LE(s + L.kind);
    const pid = b.readUInt32LE(s + L.pid);
    const ppid = b.readUInt32LE(s + L.ppid);
    const uid = b.readUInt32LE(s + L.uid);
    const comm = cString(b, s + L.comm, s + L.filename);
    if (kind === EXEC) {
      const argsLen = b.readUInt32LE(s + L.args_len);
      const args = b.toString('utf8', s + L.args, s + L.args + Math.min(argsLen, L.size - L.args));
      const argv = args.split('\0');
      if (argv.at(-1) === '') argv.pop();
      return {
        type: 'exec',
        time,
        pid,
        ppid,
        uid,
        comm,
        filename: cString(b, s + L.filename, s + L.args),
        argv,
      };
    }
    if (kind === EXIT) {
      const status = b.readInt32LE(s + L.exit_status);
      const lifetimeMs = Number(b.readBigUInt64LE(s + L.duration_ns)) / 1e6;
      return {
        type: 'exit',
        time,
        pid,
        ppid,
        uid,
        comm,
        exitCode: (status >> 8) & 0xff,
        signal: status & 0x7f,
        lifetimeMs,
      };
    }
    return undefined;
  };
  const probe = new EventProbe(object, decode, options);
  if (options.meter) publishProcessMetrics(options.meter, probe);
  return probe;
}

function publishProcessMetrics(meter: Meter, probe: EventProbe<ProcessEvent>): void {
  const execs = meter.createCounter('vigil.process.execs', {
    description: 'Programs started with execve.',
    unit: '{process}',
  });
  const exits = meter.createCounter('vigil.process.exits', {
    description: 'Processes that exited.',
    unit: '{process}',
  });
  const lifetime = meter.createHistogram('vigil.process.lifetime', {
    description: 'Time from fork to exit.',
    unit: 's',
  });
  probe.onEvents((events) => {
    for (const e of events) {
      if (e.type === 'exec') execs.add(1, { 'process.executable.name': e.comm });
      else {
        const attrs = {
          'process.executable.name': e.comm,
          'process.exit.code': e.exitCode,
          'process.exit.signal': e.signal,
        };
        exits.add(1, attrs);
        lifetime.record(e.lifetimeMs / 1000, { 'process.executable.name': e.comm });
      }
    }
  });
}
