/**
 * How the kernel classifies HTTP/2 header blocks (bpf/http.bpf.c, hpack_step): hand-made blocks sent over a
 * raw HTTP/2 connection to a server that only reads. A block that leaves the HPACK dynamic table alone —
 * indexed fields, literals without indexing or never indexed, long (multi-byte length) and Huffman-coded
 * strings — reaches user space once however often it recurs; a block that inserts into the table (RFC 7541
 * §6.2.1), resizes it (§6.3) or ends inside a representation moves the table version on, so every copy of
 * it reaches user space. A block the kernel wrongly called unchanging would put user space's decoder out of
 * step (`lostSync`); both paths are covered: a frame read with its segment in one go (small writes) and
 * one read from user memory at the block (a write over 512 bytes).
 */
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import hpack from 'hpack.js';
import { afterEach, expect, it } from 'vitest';
import { type HttpTracer, traceHttp } from '../../src/tracing/trace-http.js';
import { describeEbpf } from '../helpers/require-ebpf.js';

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const HEADERS = 1;
const SETTINGS = 4;
const END_HEADERS = 0x4;

function frame(type: number, flags: number, stream: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(9);
  h.writeUIntBE(payload.length, 0, 3);
  h[3] = type;
  h[4] = flags;
  h.writeUInt32BE(stream, 5);
  return Buffer.concat([h, payload]);
}

/** RFC 7541 §5.1: `value` with an N-bit prefix, the bits above it `first`. */
function integer(value: number, prefixBits: number, first = 0): number[] {
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
function string(text: string, huffman = false): Buffer {
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

const indexed = (i: number) => Buffer.from(integer(i, 7, 0x80));
/** §6.2.2 literal without indexing (never indexed, §6.2.3, with `never`); name by static index, or a literal name. */
function literal(name: number | string, value: Buffer, never = false): Buffer {
  const first = never ? 0x10 : 0x00;
  return typeof name === 'number'
    ? Buffer.concat([Buffer.from(integer(name, 4, first)), value])
    : Buffer.concat([Buffer.from([first]), string(name), value]);
}

// :method GET, :scheme http, :path / — all static.
const GET = Buffer.concat([indexed(2), indexed(6), indexed(4)]);
const unchanging = {
  // user-agent (static 58, a multi-byte name index) with a 300-byte value (a 3-byte length).
  longLiteral: Buffer.concat([GET, literal(58, string('v'.repeat(300)))]),
  // A literal name, never indexed, with a Huffman-coded value; then an empty value.
  huffman: Buffer.concat([
    GET,
    literal('x-trace-id', string('4bf92f3577b34da6a3ce929d0e0e4736', true), true),
    literal('x-empty', string('')),
  ]),
};
const changing = {
  // A literal with incremental indexing (§6.2.1): name index 1 (:authority).
  incremental: Buffer.concat([GET, Buffer.from(integer(1, 6, 0x40)), string('example.test')]),
  // A dynamic table size update (§6.3) to 4096, then the fields.
  sizeUpdate: Buffer.concat([Buffer.from(integer(4096, 5, 0x20)), GET]),
};

let tracer: HttpTracer | undefined;
let server: Server | undefined;
afterEach(() => {
  tracer?.close();
  tracer = undefined;
  server?.close();
  server = undefined;
});

/** A server that reads everything and answers nothing; resolves with the port and a byte counter. */
async function readingServer(): Promise<{ port: number; received: () => number }> {
  let received = 0;
  server = createServer((s) => s.on('data', (d) => (received += d.length)));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as { port: number }).port, received: () => received };
}

async function until(ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

/**
 * Sends `blocks` as HEADERS frames (END_HEADERS, streams 1, 3, …) on a fresh connection: one write each
 * (each read apart, so that the kernel sees a small segment) or all in one write. Returns how many block
 * records reached user space and how many times user space lost step with the kernel.
 */
async function send(
  t: HttpTracer,
  at: { port: number; received: () => number },
  blocks: Buffer[],
  together: boolean,
): Promise<{ blocks: number; lostSync: number }> {
  const before = t.parserStats();
  const start = at.received();
  const socket: Socket = connect(at.port, '127.0.0.1');
  await once(socket, 'connect');
  let sent = 0;
  const write = async (b: Buffer) => {
    socket.write(b);
    sent += b.length;
    await until(() => at.received() - start >= sent);
  };
  await write(Buffer.concat([PREFACE, frame(SETTINGS, 0, 0, Buffer.alloc(0))]));
  const frames = blocks.map((b, i) => frame(HEADERS, END_HEADERS, 2 * i + 1, b));
  if (together) await write(Buffer.concat(frames));
  else for (const f of frames) await write(f);
  await new Promise((r) => setTimeout(r, 400)); // the ring's records reach the tracer
  socket.destroy();
  const after = t.parserStats();
  return { blocks: after.headerBlocks - before.headerBlocks, lostSync: after.lostSync - before.lostSync };
}

describeEbpf('traceHttp HTTP/2 header blocks (kernel classification)', () => {
  for (const together of [false, true]) {
    const how = together ? 'one write of all frames' : 'a write per frame';
    it(`sends a block that leaves the table alone once, however often it recurs (${how})`, async () => {
      const at = await readingServer();
      tracer = traceHttp({ pid: process.pid, ports: [at.port], side: 'server' });
      for (const block of Object.values(unchanging)) {
        const r = await send(tracer, at, [block, block, block], together);
        expect(r).toEqual({ blocks: 1, lostSync: 0 });
      }
      // Both blocks on one connection: two different blocks, each once.
      const r = await send(
        tracer,
        at,
        [unchanging.huffman, unchanging.longLiteral, unchanging.huffman],
        together,
      );
      expect(r).toEqual({ blocks: 2, lostSync: 0 });
    });

    it(`sends every copy of a block that changes the table or ends inside a field (${how})`, async () => {
      const at = await readingServer();
      tracer = traceHttp({ pid: process.pid, ports: [at.port], side: 'server' });
      for (const block of Object.values(changing)) {
        const r = await send(tracer, at, [block, block, block], together);
        expect(r).toEqual({ blocks: 3, lostSync: 0 });
      }
      // An unchanging block after a changing one: at the new version it is new, then known.
      const r = await send(
        tracer,
        at,
        [unchanging.huffman, changing.incremental, unchanging.huffman, unchanging.huffman],
        together,
      );
      expect(r).toEqual({ blocks: 3, lostSync: 0 });
      // A value string longer than its block: truncated, so it moves the version on (user space then
      // fails to decode it: one direction out of step).
      const truncated = Buffer.concat([
        GET,
        literal(58, Buffer.concat([Buffer.from(integer(200, 7)), Buffer.from('abc')])),
      ]);
      const t = await send(tracer, at, [truncated, truncated], together);
      expect(t.blocks).toBe(2);
      expect(t.lostSync).toBe(1);
    });
  }
});
