/**
 * Decoding of the HTTP probe's ring-buffer records (bpf/http.bpf.c), at the offsets of struct http_event,
 * http_conn_info and http_request_info that src/generated/layouts.ts has from bpf/events.h.
 */

import {
  H2_BLOCK_INFO,
  H2_CALL_INFO,
  H2_REF,
  HTTP_AGG_VALUE,
  HTTP_CONN_INFO,
  HTTP_EVENT,
  HTTP_REQUEST_INFO,
} from '../generated/layouts.js';
import { formatAddress } from '../probes/address.js';
import { cString } from '../probes/clock.js';
import { Capture } from './capture.js';

/** VIGIL_HTTP_SLOTS: slot s of an aggregate counts durations in [2^s, 2^(s+1)) × 1024 ns. */
export const HTTP_AGG_SLOTS = (HTTP_AGG_VALUE.size - HTTP_AGG_VALUE.slots) / 8;

/** enum http_method of bpf/events.h, by value; 0 is any other method (or none seen). */
export const HTTP_METHODS = [
  '_OTHER',
  'GET',
  'POST',
  'PUT',
  'DELETE',
  'HEAD',
  'PATCH',
  'OPTIONS',
  'CONNECT',
  'TRACE',
] as const;

/** Which side of the connection the traced process is on. */
export type Side = 'server' | 'client';

export type HttpRecord =
  | {
      kind: 'open';
      connId: number;
      timeNs: number;
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
      startNs: number;
      endNs: number;
      pid: number;
      /** `in`: the process read it; `out`: the process wrote it. */
      direction: 'in' | 'out';
      /**
       * True when the kernel walked this HTTP/2 transfer's frames and sent only those user space needs, as
       * a frame sequence that continues the direction's previous one (no preface); false: bytes copied
       * from the head (and tail) of the transfer.
       */
      framed: boolean;
      capture: Capture;
    }
  | {
      kind: 'close';
      connId: number;
      timeNs: number;
      pid: number;
      /** HTTP/2 streams the kernel may have left in its `h2_streams` map for this connection (0: none). */
      streamsLeft: number;
    }
  | {
      /** An HTTP/1.x request parsed in the kernel, reported because its path was new or it was sampled. */
      kind: 'request';
      connId: number;
      startNs: number;
      endNs: number;
      pid: number;
      /** Hash of the path as the kernel keys its aggregates (identifier segments folded). */
      route: bigint;
      method: string;
      status: number;
      /** `1.0` or `1.1`. */
      protocolVersion: string;
      /** The request target as sent, up to 128 bytes, query included. */
      target: string;
    }
  | {
      /**
       * An HTTP/2 header block the kernel hashed and keyed (bpf/events.h, struct h2_block_info): sent the
       * first time it is seen at its direction's table version, or whenever it changes the table.
       */
      kind: 'h2block';
      connId: number;
      timeNs: number;
      pid: number;
      fromServer: boolean;
      streamId: number;
      flags: number;
      hash: bigint;
      /** The direction's HPACK table version before the block. */
      version: number;
      /** The kernel found that the block inserts into the dynamic table or resizes it. */
      changes: boolean;
      /** A view of the ring's batch (valid during the batch callback only). */
      block: Buffer;
    }
  | {
      /** An HTTP/2 stream the kernel paired but did not count (a block not named yet, or a sample). */
      kind: 'h2call';
      connId: number;
      startNs: number;
      endNs: number;
      pid: number;
      streamId: number;
      /** Request headers, response headers, trailers; undefined when the stream had none. */
      parts: [H2BlockRef | undefined, H2BlockRef | undefined, H2BlockRef | undefined];
    };

/** A header block of a call, by label (when user space named it) or by (version, hash). */
export interface H2BlockRef {
  /** 0 when not named yet. */
  label: number;
  version: number;
  /** 0n: the block sent as frames that moved the version on from `version`. */
  hash: bigint;
}

const L = HTTP_EVENT;

/**
 * A u64 as a Number without a BigInt allocation: exact below 2^53, so monotonic nanoseconds stay exact
 * for 104 days of uptime (then lose nanoseconds, not milliseconds).
 */
function u64(b: Buffer, at: number): number {
  return b.readUInt32LE(at + 4) * 0x1_0000_0000 + b.readUInt32LE(at);
}
const AF_INET = 2;

/** Decodes one record of `b[s, e)`; undefined for an unknown kind or a short record. */
export function decodeHttpRecord(b: Buffer, s: number, e: number): HttpRecord | undefined {
  if (e - s < L.size) return undefined;
  const connId = u64(b, s + L.conn_id);
  const pid = b.readUInt32LE(s + L.pid);
  const kind = b.readUInt32LE(s + L.kind);
  if (kind === 2 || kind === 5) {
    const headLen = b.readUInt32LE(s + L.head_len);
    const tailLen = b.readUInt16LE(s + L.tail_len);
    if (e - s < L.size + headLen + tailLen) return undefined;
    const data = s + L.size;
    // Views of the ring's batch: valid during the batch callback only; whoever keeps bytes copies them.
    const head = b.subarray(data, data + headLen);
    const tail = b.subarray(data + headLen, data + headLen + tailLen);
    const len = b.readUInt32LE(s + L.len);
    return {
      kind: 'data',
      connId,
      startNs: u64(b, s + L.start_ns),
      endNs: u64(b, s + L.end_ns),
      pid,
      direction: b[s + L.direction] === 1 ? 'out' : 'in',
      framed: kind === 5,
      capture: new Capture(len, head, tail),
    };
  }
  if (kind === 1) {
    if (e - s < L.size + HTTP_CONN_INFO.size) return undefined;
    const family = b.readUInt16LE(s + L.family);
    const info = s + L.size;
    return {
      kind: 'open',
      connId,
      timeNs: u64(b, s + L.start_ns),
      pid,
      side: b[s + L.role] === 1 ? 'server' : 'client',
      family: family === AF_INET ? 'ipv4' : 'ipv6',
      localAddress: formatAddress(b, info + HTTP_CONN_INFO.laddr, family),
      localPort: b.readUInt16LE(s + L.lport),
      remoteAddress: formatAddress(b, info + HTTP_CONN_INFO.raddr, family),
      remotePort: b.readUInt16LE(s + L.rport),
      comm: cString(b, info + HTTP_CONN_INFO.comm, info + HTTP_CONN_INFO.comm + 16),
    };
  }
  if (kind === 3) {
    return {
      kind: 'close',
      connId,
      timeNs: u64(b, s + L.start_ns),
      pid,
      streamsLeft: b.readUInt32LE(s + L.len),
    };
  }
  if (kind === 4) {
    const R = HTTP_REQUEST_INFO;
    if (e - s < L.size + R.size) return undefined;
    const info = s + L.size;
    const pathLen = Math.min(b.readUInt32LE(s + L.head_len), R.size - R.path);
    return {
      kind: 'request',
      connId,
      startNs: u64(b, s + L.start_ns),
      endNs: u64(b, s + L.end_ns),
      pid,
      route: b.readBigUInt64LE(info + R.route),
      method: HTTP_METHODS[b[info + R.method]] ?? '_OTHER',
      status: b.readUInt16LE(info + R.status),
      protocolVersion: `1.${b[info + R.version]}`,
      target: b.toString('latin1', info + R.path, info + R.path + pathLen),
    };
  }
  if (kind === 6) {
    const B = H2_BLOCK_INFO;
    const len = b.readUInt32LE(s + L.head_len);
    if (e - s < L.size + B.size + len) return undefined;
    const info = s + L.size;
    return {
      kind: 'h2block',
      connId,
      timeNs: u64(b, s + L.start_ns),
      pid,
      fromServer: b[info + B.from_server] === 1,
      streamId: b.readUInt32LE(info + B.stream_id),
      flags: b[info + B.flags],
      hash: b.readBigUInt64LE(info + B.hash),
      version: b.readUInt32LE(info + B.version),
      changes: b[info + B.changes] === 1,
      block: b.subarray(info + B.size, info + B.size + len),
    };
  }
  if (kind === 7) {
    const C = H2_CALL_INFO;
    if (e - s < L.size + C.size) return undefined;
    const info = s + L.size;
    const present = b[info + C.parts];
    const part = (k: number): H2BlockRef | undefined => {
      if (!(present & (1 << k))) return undefined;
      const at = info + C.part + k * H2_REF.size;
      return {
        label: b.readUInt32LE(at + H2_REF.label),
        version: b.readUInt32LE(at + H2_REF.version),
        hash: b.readBigUInt64LE(at + H2_REF.hash),
      };
    };
    return {
      kind: 'h2call',
      connId,
      startNs: u64(b, s + L.start_ns),
      endNs: u64(b, s + L.end_ns),
      pid,
      streamId: b.readUInt32LE(info + C.stream_id),
      parts: [part(0), part(1), part(2)],
    };
  }
  return undefined;
}
