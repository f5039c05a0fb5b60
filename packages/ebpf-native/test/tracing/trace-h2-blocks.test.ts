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
import { connect, type Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { type HttpTracer, traceHttp } from '../../src/tracing/trace-http.js';
import {
  END_HEADERS,
  frame,
  HEADERS,
  indexed,
  integer,
  literal,
  PREFACE,
  type ReadingServer,
  readingServer,
  SETTINGS,
  string,
  until,
} from '../helpers/raw-h2.js';
import { describeEbpf } from '../helpers/require-ebpf.js';

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
let server: ReadingServer | undefined;
afterEach(() => {
  tracer?.close();
  tracer = undefined;
  server?.close();
  server = undefined;
});

/**
 * Sends `blocks` as HEADERS frames (END_HEADERS, streams 1, 3, …) on a fresh connection: one write each
 * (each read apart, so that the kernel sees a small segment) or all in one write. Returns how many block
 * records reached user space and how many times user space lost step with the kernel.
 */
async function send(
  t: HttpTracer,
  at: ReadingServer,
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
      server = at;
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
      server = at;
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
