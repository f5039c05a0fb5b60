/** Block I/O latency per device and direction from tp_btf/block_rq_issue and block_rq_complete. */

import { existsSync } from 'node:fs';
import type { Meter } from '@opentelemetry/api';
import { findTracefs } from '../environment.js';
import { VigilEbpfError } from '../errors.js';
import { HIST_KEY } from '../generated/layouts.js';
import {
  AggregateProbe,
  type AggregateProbeOptions,
  type Series,
  validateAggregateOptions,
} from './aggregate-probe.js';
import { startProbe } from './event-probe.js';
import {
  addToSlot,
  emptyLog2Histogram,
  type Log2Histogram,
  log2Quantile,
  subtractHistograms,
} from './log2-histogram.js';

/** Latency and bytes of one device and direction since the probe started. */
export interface BlockIoStats {
  /** Device as `major:minor`, e.g. `254:0`. */
  device: string;
  direction: 'read' | 'write';
  /** Issue-to-completion latency, log2 nanosecond slots. */
  latency: Log2Histogram;
  /** Bytes completed. */
  bytes: number;
}

/** A snapshot of {@link watchBlockIo}. */
export interface BlockIoSnapshot {
  /** Unix epoch milliseconds. */
  time: number;
  devices: BlockIoStats[];
}

/** Options of {@link watchBlockIo}. */
export interface BlockIoProbeOptions extends AggregateProbeOptions {
  /** Publish `system.disk.io` (By) and `system.disk.operations` (OTel semantic conventions). */
  meter?: Meter;
}

/** The block I/O probe's handle: snapshots plus quantile series. */
export type BlockIoProbe = AggregateProbe<BlockIoSnapshot> & {
  /** The q-quantile of latency per interval over every device, in milliseconds. */
  quantileSeries(q: number): Series;
};

/**
 * Starts measuring block I/O latency, where the kernel has the block_rq_issue/complete tracepoints.
 *
 * @throws {VigilEbpfError} `EBPF_TRACEPOINT_MISSING` when this kernel has no block tracepoints; the usual load errors.
 * @example
 * const io = watchBlockIo();
 * setTimeout(() => console.log(io.read().devices.map((d) => [d.device, d.direction, d.latency.total])), 5000);
 */
export function watchBlockIo(options: BlockIoProbeOptions = {}): BlockIoProbe {
  validateAggregateOptions(options);
  const tracefs = findTracefs();
  for (const tp of ['block_rq_issue', 'block_rq_complete']) {
    // tp_btf programs fail at load, not attach, on kernels without the tracepoint; say so clearly first.
    if (tracefs && !existsSync(`${tracefs}/events/block/${tp}`)) {
      throw new VigilEbpfError(
        'EBPF_TRACEPOINT_MISSING',
        `this kernel has no block:${tp} tracepoint, so block I/O latency cannot be measured.`,
        {
          fix: 'use a kernel with CONFIG_BLK_DEV and block tracepoints (every distribution kernel has them).',
        },
      );
    }
  }
  const { object } = startProbe('block-io', [{ name: 'handle_issue' }, { name: 'handle_complete' }], {});
  const hist = object.map('hist');
  const bytesMap = object.map('bytes');
  const snapshot = (): BlockIoSnapshot => {
    const byId = new Map<number, BlockIoStats>();
    const entry = (id: number) => {
      let s = byId.get(id);
      if (!s) {
        const dev = id >>> 1;
        s = {
          device: `${dev >>> 20}:${dev & 0xfffff}`,
          direction: id & 1 ? 'write' : 'read',
          latency: emptyLog2Histogram(),
          bytes: 0,
        };
        byId.set(id, s);
      }
      return s;
    };
    for (const [key, raw] of hist.entries()) {
      let n = 0;
      for (const v of hist.splitPerCpu(raw)) n += Number(v.readBigUInt64LE(0));
      addToSlot(entry(key.readUInt32LE(HIST_KEY.id)).latency, key.readUInt32LE(HIST_KEY.slot), n);
    }
    for (const [key, raw] of bytesMap.entries()) {
      let n = 0;
      for (const v of bytesMap.splitPerCpu(raw)) n += Number(v.readBigUInt64LE(0));
      entry(key.readUInt32LE(0)).bytes = n;
    }
    return { time: Date.now(), devices: [...byId.values()] };
  };
  const probe = new AggregateProbe(object, snapshot, options);
  const merged = (s: BlockIoSnapshot) => {
    const h = emptyLog2Histogram();
    for (const d of s.devices) for (let i = 0; i < h.counts.length; i++) addToSlot(h, i, d.latency.counts[i]);
    return h;
  };
  if (options.meter) {
    const io = options.meter.createObservableCounter('system.disk.io', {
      description: 'Disk bytes transferred.',
      unit: 'By',
    });
    const ops = options.meter.createObservableCounter('system.disk.operations', {
      description: 'Disk operations.',
      unit: '{operation}',
    });
    probe.observeWith(options.meter, [io, ops], (result, snap) => {
      for (const d of snap.devices) {
        const attrs = { 'system.device': d.device, 'disk.io.direction': d.direction };
        result.observe(io, d.bytes, attrs);
        result.observe(ops, d.latency.total, attrs);
      }
    });
  }
  return Object.assign(probe, {
    quantileSeries: (q: number) =>
      probe.seriesOf((cur, prev) => log2Quantile(subtractHistograms(merged(cur), merged(prev)), q) / 1e6),
  });
}
