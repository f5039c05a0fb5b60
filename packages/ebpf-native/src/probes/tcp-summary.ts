/**
 * TCP connection lifecycle as counters (the TCP probe's summary mode, bpf/tcp.bpf.c): connects, accepts,
 * closes and retransmits per address family, bytes over closed connections, and log2 histograms of
 * handshake and connection durations — counted in a per-CPU kernel array and read on an interval, so that
 * no event of the machine reaches user space. What the Vigil series and the `vigil.tcp.*` counters need;
 * `watchTcp` delivers each event instead, at a cost per event.
 */
import type { Meter } from '@opentelemetry/api';
import { requireInput } from '../errors.js';
import { TCP_CONFIG, TCP_SUMMARY } from '../generated/layouts.js';
import type { BpfObject } from '../object/bpf-object.js';
import { sumPerCpuU64 } from '../object/per-cpu.js';
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

/** Cumulative counts of one address family since the probe started. */
export interface TcpFamilySummary {
  /** Active opens that reached ESTABLISHED. */
  connects: number;
  /** Passive opens that reached ESTABLISHED. */
  accepts: number;
  /** Established connections that reached CLOSE. */
  closes: number;
  /** Segments retransmitted. */
  retransmits: number;
  /** Payload bytes sent and acknowledged over closed connections. */
  bytesSent: number;
  /** Payload bytes received over closed connections. */
  bytesReceived: number;
  /** SYN to ESTABLISHED of connects and accepts, in ns. */
  handshake: Log2Histogram;
  /** ESTABLISHED to CLOSE, in ns. */
  lifetime: Log2Histogram;
}

/** A snapshot of {@link summarizeTcp}. */
export interface TcpSummary {
  /** Unix epoch milliseconds. */
  time: number;
  ipv4: TcpFamilySummary;
  ipv6: TcpFamilySummary;
}

/** Options of {@link summarizeTcp}. */
export interface TcpSummaryOptions extends AggregateProbeOptions {
  /** Only connections with one of these local or remote ports; default every connection. */
  ports?: readonly number[];
  /**
   * Publish observable `vigil.tcp.connections` (`network.connection.direction`), `vigil.tcp.io`
   * (`network.io.direction`), `vigil.tcp.retransmits`, and gauges `vigil.tcp.handshake.duration` and
   * `vigil.tcp.connection.duration` (s) with `quantile` 0.5 / 0.99 of the last interval.
   */
  meter?: Meter;
}

/** The summary probe's handle: snapshots and series. */
export type TcpSummaryProbe = AggregateProbe<TcpSummary> & {
  /** Connections established (connects + accepts) per second, per interval. */
  connectionRate(): Series;
  /** The q-quantile of handshake time per interval, in ms (NaN for an interval without handshakes). */
  handshakeQuantileSeries(q: number): Series;
};

/** enum tcp_event_kind order in the summary array: (kind - 1) * 2 + (family is IPv6). */
const KINDS = ['connects', 'accepts', 'closes', 'retransmits'] as const;

function emptyFamily(): TcpFamilySummary {
  return {
    connects: 0,
    accepts: 0,
    closes: 0,
    retransmits: 0,
    bytesSent: 0,
    bytesReceived: 0,
    handshake: emptyLog2Histogram(),
    lifetime: emptyLog2Histogram(),
  };
}

function validatePorts(ports: readonly number[] | undefined): number[] {
  const list = [...(ports ?? [])];
  requireInput(
    list.length <= 1024 && list.every((p) => Number.isInteger(p) && p >= 1 && p <= 65535),
    'ports',
    'must be TCP ports (integers 1–65535), at most 1024 of them',
    'pass e.g. [8080], or omit it to count every connection.',
  );
  requireInput(
    ports === undefined || list.length > 0,
    'ports',
    'is an empty list, which would count nothing',
    'omit it to count every connection.',
  );
  return list;
}

function configure(object: BpfObject, ports: number[]): void {
  const one = Buffer.from([1]);
  const key = Buffer.alloc(2);
  for (const port of ports) {
    key.writeUInt16LE(port, 0);
    object.map('ports').update(key, one);
  }
  const config = Buffer.alloc(TCP_CONFIG.size);
  config.writeUInt32LE(1, TCP_CONFIG.summary);
  config.writeUInt32LE(ports.length > 0 ? 1 : 0, TCP_CONFIG.filter_ports);
  object.map('tcp_config').update(0, config);
}

/**
 * Starts the TCP probe in summary mode: per address family, connections established and closed,
 * retransmits, bytes and duration histograms, counted in the kernel and read every `intervalMs` — no
 * per-event cost in user space, whatever the machine's connection rate.
 *
 * @throws {VigilEbpfError} `EBPF_INPUT` for a bad option (before anything is loaded); the usual load errors.
 * @example
 * const tcp = summarizeTcp({ meter });
 * pipeline.push('host/tcp.connections_per_s', ...tcp.connectionRate());
 */
export function summarizeTcp(options: TcpSummaryOptions = {}): TcpSummaryProbe {
  validateAggregateOptions(options);
  const ports = validatePorts(options.ports);
  const { object } = startProbe(
    'tcp',
    [{ name: 'handle_set_state' }, { name: 'handle_retransmit', optional: true }],
    {},
    undefined,
    (o) => configure(o, ports),
  );
  const map = object.map('summary');
  const S = TCP_SUMMARY;
  const snapshot = (): TcpSummary => {
    const out: TcpSummary = { time: Date.now(), ipv4: emptyFamily(), ipv6: emptyFamily() };
    // The whole (8-entry, per-CPU) array in one read; every second, so no Buffer or BigInt per value.
    const rows = map.readAll();
    for (let row = 0; row < rows.count; row++) {
      const i = rows.keys.readUInt32LE(row * 4);
      if (i >= 2 * KINDS.length) continue;
      const kind = KINDS[i >> 1];
      const family = out[i & 1 ? 'ipv6' : 'ipv4'];
      family[kind] += sumPerCpuU64(rows.values, row, S.count, rows);
      family.bytesSent += sumPerCpuU64(rows.values, row, S.bytes_sent, rows);
      family.bytesReceived += sumPerCpuU64(rows.values, row, S.bytes_received, rows);
      if (kind === 'retransmits') continue;
      const histogram = kind === 'closes' ? family.lifetime : family.handshake;
      for (let slot = 0; slot < (S.size - S.slots) / 8; slot++)
        addToSlot(histogram, slot, sumPerCpuU64(rows.values, row, S.slots + 8 * slot, rows));
    }
    return out;
  };
  let probe: AggregateProbe<TcpSummary>;
  try {
    probe = new AggregateProbe(object, snapshot, options);
  } catch (e) {
    object.close();
    throw e;
  }
  if (options.meter) publishTcpSummary(options.meter, probe);
  const both = (s: TcpSummary, f: (x: TcpFamilySummary) => number) => f(s.ipv4) + f(s.ipv6);
  return Object.assign(probe, {
    connectionRate: () =>
      probe.seriesOf(
        (cur, prev) =>
          (both(cur, (f) => f.connects + f.accepts) - both(prev, (f) => f.connects + f.accepts)) /
          ((cur.time - prev.time) / 1000),
      ),
    handshakeQuantileSeries: (q: number) =>
      probe.seriesOf((cur, prev) => {
        const h = subtractHistograms(cur.ipv4.handshake, prev.ipv4.handshake);
        const h6 = subtractHistograms(cur.ipv6.handshake, prev.ipv6.handshake);
        for (let i = 0; i < h.counts.length; i++) addToSlot(h, i, h6.counts[i]);
        return log2Quantile(h, q) / 1e6;
      }),
  });
}

function publishTcpSummary(meter: Meter, probe: AggregateProbe<TcpSummary>): void {
  const connections = meter.createObservableCounter('vigil.tcp.connections', {
    description: 'TCP connections established.',
    unit: '{connection}',
  });
  const io = meter.createObservableCounter('vigil.tcp.io', {
    description: 'Bytes over closed TCP connections.',
    unit: 'By',
  });
  const retransmits = meter.createObservableCounter('vigil.tcp.retransmits', {
    description: 'TCP segments retransmitted.',
    unit: '{segment}',
  });
  const handshake = meter.createObservableGauge('vigil.tcp.handshake.duration', {
    description: 'SYN to ESTABLISHED, quantile over the last interval (log2 resolution).',
    unit: 's',
  });
  const lifetime = meter.createObservableGauge('vigil.tcp.connection.duration', {
    description:
      'ESTABLISHED to CLOSE of connections closed in the last interval, quantile (log2 resolution).',
    unit: 's',
  });
  probe.observeWith(meter, [connections, io, retransmits, handshake, lifetime], (result, s) => {
    const h = probe.history;
    const previous = h.length >= 2 ? h[h.length - 2] : undefined;
    for (const type of ['ipv4', 'ipv6'] as const) {
      const f = s[type];
      const attrs = { 'network.transport': 'tcp', 'network.type': type };
      result.observe(connections, f.connects, { ...attrs, 'network.connection.direction': 'outbound' });
      result.observe(connections, f.accepts, { ...attrs, 'network.connection.direction': 'inbound' });
      result.observe(io, f.bytesSent, { ...attrs, 'network.io.direction': 'transmit' });
      result.observe(io, f.bytesReceived, { ...attrs, 'network.io.direction': 'receive' });
      result.observe(retransmits, f.retransmits, attrs);
      if (!previous) continue;
      const last = h[h.length - 1][type];
      for (const [gauge, cur, prev] of [
        [handshake, last.handshake, previous[type].handshake],
        [lifetime, last.lifetime, previous[type].lifetime],
      ] as const) {
        const delta = subtractHistograms(cur, prev);
        for (const q of [0.5, 0.99]) {
          const v = log2Quantile(delta, q);
          if (Number.isFinite(v)) result.observe(gauge, v / 1e9, { ...attrs, quantile: q });
        }
      }
    }
  });
}
