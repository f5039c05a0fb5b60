/**
 * Decoding of the HTTP probe's ring-buffer records (bpf/http.bpf.c). The byte offsets below mirror
 * struct http_event and struct http_conn_info in bpf/events.h; test/tracing/http-record.test.ts checks
 * them against the BTF of the compiled object.
 */
import { formatAddress } from '../probes/address.js';
import { cString } from '../probes/clock.js';
import { Capture } from './capture.js';

/** Offsets and sizes of struct http_event and struct http_conn_info. */
export const HTTP_EVENT_LAYOUT = {
  size: 48,
  conn_id: 0,
  start_ns: 8,
  end_ns: 16,
  kind: 24,
  pid: 28,
  len: 32,
  head_len: 36,
  tail_len: 38,
  direction: 40,
  role: 41,
  family: 42,
  lport: 44,
  rport: 46,
} as const;

export const HTTP_CONN_INFO_LAYOUT = { size: 48, laddr: 0, raddr: 16, comm: 32 } as const;

/** Which side of the connection the traced process is on. */
export type Side = 'server' | 'client';

export type HttpRecord =
  | {
      kind: 'open';
      connId: number;
      timeNs: bigint;
      pid: number;
      side: Side;
      family: 'ipv4' | 'ipv6';
      localAddress: string;
      localPort: number;
      remoteAddress: string;
      remotePort: number;
      comm: string;
    }
  | {
      kind: 'data';
      connId: number;
      startNs: bigint;
      endNs: bigint;
      pid: number;
      /** `in`: the process read it; `out`: the process wrote it. */
      direction: 'in' | 'out';
      capture: Capture;
    }
  | { kind: 'close'; connId: number; timeNs: bigint; pid: number };

const L = HTTP_EVENT_LAYOUT;
const AF_INET = 2;

/** Decodes one record of `b[s, e)`; undefined for an unknown kind or a short record. */
export function decodeHttpRecord(b: Buffer, s: number, e: number): HttpRecord | undefined {
  if (e - s < L.size) return undefined;
  const connId = Number(b.readBigUInt64LE(s + L.conn_id));
  const pid = b.readUInt32LE(s + L.pid);
  const kind = b.readUInt32LE(s + L.kind);
  if (kind === 2) {
    const headLen = b.readUInt16LE(s + L.head_len);
    const tailLen = b.readUInt16LE(s + L.tail_len);
    if (e - s < L.size + headLen + tailLen) return undefined;
    const data = s + L.size;
    // Copies: the ring's memory is reused once the batch callback returns.
    const head = Buffer.from(b.subarray(data, data + headLen));
    const tail = Buffer.from(b.subarray(data + headLen, data + headLen + tailLen));
    const len = b.readUInt32LE(s + L.len);
    return {
      kind: 'data',
      connId,
      startNs: b.readBigUInt64LE(s + L.start_ns),
      endNs: b.readBigUInt64LE(s + L.end_ns),
      pid,
      direction: b[s + L.direction] === 1 ? 'out' : 'in',
      capture: new Capture(len, head, tail),
    };
  }
  if (kind === 1) {
    if (e - s < L.size + HTTP_CONN_INFO_LAYOUT.size) return undefined;
    const family = b.readUInt16LE(s + L.family);
    const info = s + L.size;
    return {
      kind: 'open',
      connId,
      timeNs: b.readBigUInt64LE(s + L.start_ns),
      pid,
      side: b[s + L.role] === 1 ? 'server' : 'client',
      family: family === AF_INET ? 'ipv4' : 'ipv6',
      localAddress: formatAddress(b, info + HTTP_CONN_INFO_LAYOUT.laddr, family),
      localPort: b.readUInt16LE(s + L.lport),
      remoteAddress: formatAddress(b, info + HTTP_CONN_INFO_LAYOUT.raddr, family),
      remotePort: b.readUInt16LE(s + L.rport),
      comm: cString(b, info + HTTP_CONN_INFO_LAYOUT.comm, info + HTTP_CONN_INFO_LAYOUT.comm + 16),
    };
  }
  if (kind === 3) return { kind: 'close', connId, timeNs: b.readBigUInt64LE(s + L.start_ns), pid };
  return undefined;
}
