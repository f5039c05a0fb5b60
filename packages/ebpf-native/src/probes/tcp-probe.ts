/** TCP connection lifecycle from sock:inet_sock_set_state and tcp:tcp_retransmit_skb. */
import type { Meter } from '@opentelemetry/api';
import { TCP_EVENT } from '../generated/layouts.js';
import { formatAddress } from './address.js';
import { cString, monotonicToEpochMs } from './clock.js';
import { EventProbe, type EventProbeOptions, startProbe } from './event-probe.js';

/** A TCP connection event. Addresses are strings (`127.0.0.1`, `::1`), ports host-order numbers. */
export interface TcpEvent {
  /**
   * `connect`: an active open reached ESTABLISHED; `accept`: a passive open did; `close`: an established
   * connection reached CLOSE; `retransmit`: a segment was retransmitted.
   */
  type: 'connect' | 'accept' | 'close' | 'retransmit';
  /** Unix epoch milliseconds. */
  time: number;
  /** Process that connected (connect, and close of connected sockets) or closed; 0 when unknown (softirq). */
  pid: number;
  comm: string;
  family: 'ipv4' | 'ipv6';
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  /** connect/accept: handshake time (SYN to ESTABLISHED) in ms; close: connection lifetime in ms; else 0. */
  durationMs: number;
  /** close: bytes sent and acknowledged by the peer. */
  bytesSent: number;
  /** close: bytes received. */
  bytesReceived: number;
  /** close: segments retransmitted over the connection's life. */
  retransmits: number;
}

/** Options of {@link watchTcp}. */
export interface TcpProbeOptions extends EventProbeOptions {
  /** Publish `vigil.tcp.connections`, `vigil.tcp.handshake.duration`, `vigil.tcp.connection.duration`, `vigil.tcp.io`, `vigil.tcp.retransmits`. */
  meter?: Meter;
}

const KINDS = [undefined, 'connect', 'accept', 'close', 'retransmit'] as const;
const AF_INET = 2;

/**
 * Starts the TCP lifecycle probe: connects and accepts with handshake latency, closes with lifetime,
 * bytes and retransmits, and retransmissions as they happen.
 *
 * @throws {VigilEbpfError} the usual load errors; `EBPF_TRACEPOINT_MISSING` on kernels before 4.16.
 * @example
 * const tcp = watchTcp();
 * tcp.onEvents((es) => es.filter((e) => e.type === 'connect' && e.durationMs > 100).forEach(console.warn));
 */
export function watchTcp(options: TcpProbeOptions = {}): EventProbe<TcpEvent> {
  const { object } = startProbe(
    'tcp',
    [{ name: 'handle_set_state' }, { name: 'handle_retransmit', optional: true }],
    options,
  );
  const toEpochMs = monotonicToEpochMs();
  const L = TCP_EVENT;
  const decode = (b: Buffer, s: number): TcpEvent | undefined => {
    const type = KINDS[b.readUInt32LE(s + L.kind)];
    if (!type) return undefined;
    const family = b.readUInt16LE(s + L.family);
    return {
      type,
      time: toEpochMs(b.readBigUInt64LE(s + L.ts_ns)),
      pid: b.readUInt32LE(s + L.pid),
      comm: cString(b, s + L.comm, s + L.size),
      family: family === AF_INET ? 'ipv4' : 'ipv6',
      localAddress: formatAddress(b, s + L.saddr, family),
      localPort: b.readUInt16LE(s + L.sport),
      remoteAddress: formatAddress(b, s + L.daddr, family),
      remotePort: b.readUInt16LE(s + L.dport),
      durationMs: Number(b.readBigUInt64LE(s + L.duration_ns)) / 1e6,
      bytesSent: Number(b.readBigUInt64LE(s + L.bytes_acked)),
      bytesReceived: Number(b.readBigUInt64LE(s + L.bytes_received)),
      retransmits: b.readUInt32LE(s + L.retransmits),
    };
  };
  const probe = new EventProbe(object, decode, options);
  if (options.meter) publishTcpMetrics(options.meter, probe);
  return probe;
}

function publishTcpMetrics(meter: Meter, probe: EventProbe<TcpEvent>): void {
  const connections = meter.createCounter('vigil.tcp.connections', {
    description: 'TCP connections established.',
    unit: '{connection}',
  });
  const handshake = meter.createHistogram('vigil.tcp.handshake.duration', {
    description: 'SYN to ESTABLISHED.',
    unit: 's',
  });
  const lifetime = meter.createHistogram('vigil.tcp.connection.duration', {
    description: 'ESTABLISHED to CLOSE.',
    unit: 's',
  });
  const io = meter.createCounter('vigil.tcp.io', {
    description: 'Bytes over closed TCP connections.',
    unit: 'By',
  });
  const retransmits = meter.createCounter('vigil.tcp.retransmits', {
    description: 'TCP segments retransmitted.',
    unit: '{segment}',
  });
  probe.onEvents((events) => {
    for (const e of events) {
      const attrs = { 'network.transport': 'tcp', 'network.type': e.family };
      if (e.type === 'connect' || e.type === 'accept') {
        const dir = {
          ...attrs,
          'network.connection.direction': e.type === 'connect' ? 'outbound' : 'inbound',
        };
        connections.add(1, dir);
        handshake.record(e.durationMs / 1000, dir);
      } else if (e.type === 'close') {
        lifetime.record(e.durationMs / 1000, attrs);
        io.add(e.bytesSent, { ...attrs, 'network.io.direction': 'transmit' });
        io.add(e.bytesReceived, { ...attrs, 'network.io.direction': 'receive' });
      } else {
        retransmits.add(1, attrs);
      }
    }
  });
}
