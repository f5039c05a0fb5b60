/** OOM kills from oom:mark_victim. */
import type { Meter } from '@opentelemetry/api';
import { cString, monotonicToEpochMs } from './clock.js';
import { EventProbe, type EventProbeOptions, startProbe } from './event-probe.js';

/** The OOM killer chose a victim. Memory fields are 0 on kernels whose tracepoint lacks them (before 6.1). */
export interface OomEvent {
  /** Unix epoch milliseconds. */
  time: number;
  pid: number;
  uid: number;
  comm: string;
  /** Sizes in bytes at the time the victim was chosen. */
  totalVmBytes: number;
  anonRssBytes: number;
  fileRssBytes: number;
  shmemRssBytes: number;
  oomScoreAdj: number;
}

/** Options of {@link watchOomKills}. */
export interface OomProbeOptions extends EventProbeOptions {
  /** Publish `vigil.oom.kills` through this meter. */
  meter?: Meter;
}

/**
 * Starts the OOM-kill probe.
 *
 * @throws {VigilEbpfError} the usual load errors.
 * @example
 * const oom = watchOomKills();
 * for await (const e of oom) console.error(`OOM killed ${e.comm}[${e.pid}] rss=${e.anonRssBytes}`);
 */
export function watchOomKills(options: OomProbeOptions = {}): EventProbe<OomEvent> {
  const { object } = startProbe('oom', [{ name: 'handle_mark_victim' }], {
    ringBytes: options.ringBytes ?? 1 << 16,
  });
  const toEpochMs = monotonicToEpochMs();
  // The tracepoint reports pages; 4 KiB on x86-64 and on most arm64 kernels.
  const page = 4096;
  // Layout: struct oom_event in bpf/events.h.
  const decode = (b: Buffer, s: number): OomEvent => ({
    time: toEpochMs(b.readBigUInt64LE(s)),
    totalVmBytes: Number(b.readBigUInt64LE(s + 8)) * page,
    anonRssBytes: Number(b.readBigUInt64LE(s + 16)) * page,
    fileRssBytes: Number(b.readBigUInt64LE(s + 24)) * page,
    shmemRssBytes: Number(b.readBigUInt64LE(s + 32)) * page,
    pid: b.readUInt32LE(s + 40),
    uid: b.readUInt32LE(s + 44),
    oomScoreAdj: b.readInt32LE(s + 48),
    comm: cString(b, s + 56, s + 72),
  });
  const probe = new EventProbe(object, decode, options);
  if (options.meter) {
    const kills = options.meter.createCounter('vigil.oom.kills', {
      description: 'Processes chosen by the OOM killer.',
      unit: '{process}',
    });
    probe.onEvents((events) => {
      for (const e of events) kills.add(1, { 'process.executable.name': e.comm });
    });
  }
  return probe;
}
