/** OOM kills from oom:mark_victim. */
import type { Meter } from '@opentelemetry/api';
import { OOM_EVENT } from '../generated/layouts.js';
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
  const L = OOM_EVENT;
  const decode = (b: Buffer, s: number): OomEvent => ({
    time: toEpochMs(b.readBigUInt64LE(s + L.ts_ns)),
    totalVmBytes: Number(b.readBigUInt64LE(s + L.total_vm_pages)) * page,
    anonRssBytes: Number(b.readBigUInt64LE(s + L.anon_rss_pages)) * page,
    fileRssBytes: Number(b.readBigUInt64LE(s + L.file_rss_pages)) * page,
    shmemRssBytes: Number(b.readBigUInt64LE(s + L.shmem_rss_pages)) * page,
    pid: b.readUInt32LE(s + L.pid),
    uid: b.readUInt32LE(s + L.uid),
    oomScoreAdj: b.readInt32LE(s + L.oom_score_adj),
    comm: cString(b, s + L.comm, s + L.size),
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
