/**
 * Raw HTTP/2 for tests that make the kernel walk hand-made frames and header blocks: frames (RFC 7540 §4.1),
 * HPACK integers, strings (raw or Huffman-coded) and field representations (RFC 7541 §5, §6), and a TCP
 * server that reads everything and answers nothing.
 */
import { once } from 'node:events';
import { createServer } from 'node:net';
import hpack from 'hpack.js';

export { H2_PREFACE as PREFACE } from '../../src/tracing/h2-frames.js';
export const HEADERS = 1;
export const SETTINGS = 4;
export const END_HEADERS = 0x4;

/** One frame (RFC 7540 §4.1): 9-byte header, then `payload`. */
export function frame(type: number, flags: number, stream: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(9);
  h.writeUIntBE(payload.length, 0, 3);
  h[3] = type;
  h[4] = flags;
  h.writeUInt32BE(stream, 5);
  return Buffer.concat([h, payload]);
}

/** RFC 7541 §5.1: `value` with an N-bit prefix, the bits above it `first`. */
export function integer(value: number, prefixBits: number, first = 0): number[] {
  const max = (1 << prefixBits) - 1;
  if (value < max) return [first | value];
  const out = [first | max];
  let rest = value - max;
  while (rest >= 128) {
    out.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  out.push(rest);
  return out;
}

/** RFC 7541 §5.2: a string literal, raw or Huffman-coded with the code of Appendix B. */
export function string(text: string, huffman = false): Buffer {
  const raw = Buffer.from(text, 'latin1');
  if (!huffman) return Buffer.concat([Buffer.from(integer(raw.length, 7)), raw]);
  const bytes: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const c of raw) {
    const [n, code] = hpack.huffman.encode[c];
    for (let i = n - 1; i >= 0; i--) {
      acc = (acc << 1) | ((code >>> i) & 1);
      if (++bits === 8) {
        bytes.push(acc);
        acc = 0;
        bits = 0;
      }
    }
  }
  if (bits > 0) bytes.push(((acc << (8 - bits)) | ((1 << (8 - bits)) - 1)) & 0xff); // EOS padding
  return Buffer.concat([Buffer.from(integer(bytes.length, 7, 0x80)), Buffer.from(bytes)]);
}

export const indexed = (i: number) => Buffer.from(integer(i, 7, 0x80));
/** §6.2.2 literal without indexing (never indexed, §6.2.3, with `never`); name by static index, or a literal name. */
export function literal(name: number | string, value: Buffer, never = false): Buffer {
  const first = never ? 0x10 : 0x00;
  return typeof name === 'number'
    ? Buffer.concat([Buffer.from(integer(name, 4, first)), value])
    : Buffer.concat([Buffer.from([first]), string(name), value]);
}

/** A server that only reads: its port and the bytes it has read so far. */
export interface ReadingServer {
  port: number;
  received: () => number;
  close: () => void;
}

/** A server that reads everything and answers nothing; resolves with the port and a byte counter. */
export async function readingServer(): Promise<ReadingServer> {
  let received = 0;
  const server = createServer((s) => s.on('data', (d) => (received += d.length)));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as { port: number }).port,
    received: () => received,
    close: () => server.close(),
  };
}

/** Resolves once `ok()` holds, or after `ms` milliseconds (the caller then asserts what it waited for). */
export async function until(ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}
