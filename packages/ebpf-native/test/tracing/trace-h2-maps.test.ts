/**
 * What the HTTP/2 walk leaves in the kernel's maps: a header block's label key in `h2_labels` lives while its
 * table version is current and its connection open, and a stream kept in `h2_streams` (more open at once
 * than a connection's slots) until it ends or its connection closes — user space deletes them then, so that
 * they do not wait for the maps' LRU eviction. Counted with bpftool in this process's own maps.
 */
import { once } from 'node:events';
import { connect } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { type HttpTracer, traceHttp } from '../../src/tracing/trace-http.js';
import { hasBpftool, ownMapEntries } from '../helpers/bpftool.js';
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
import { describeEbpf, skipUnlessRequired } from '../helpers/require-ebpf.js';

// :method GET, :scheme http, :path / (all static), then a field that tells blocks apart.
const block = (tag: string) =>
  Buffer.concat([indexed(2), indexed(6), indexed(4), literal('x-tag', string(tag))]);
// A literal with incremental indexing (RFC 7541 §6.2.1): the client's table version moves on.
const changing = Buffer.concat([indexed(2), Buffer.from(integer(1, 6, 0x40)), string('example.test')]);

let tracer: HttpTracer | undefined;
let server: ReadingServer | undefined;
afterEach(() => {
  tracer?.close();
  tracer = undefined;
  server?.close();
  server = undefined;
});

describeEbpf('traceHttp HTTP/2 map entries', () => {
  it.skipIf(skipUnlessRequired(!hasBpftool))(
    'deletes a closed connection’s labels and streams, and labels of a table version that is over',
    async () => {
      const at = await readingServer();
      server = at;
      tracer = traceHttp({ pid: process.pid, ports: [at.port], side: 'server' });
      const t = tracer;
      const socket = connect(at.port, '127.0.0.1');
      await once(socket, 'connect');
      let sent = 0;
      let stream = 1;
      const send = async (...blocks: Buffer[]) => {
        const bytes = Buffer.concat(blocks.map((b) => frame(HEADERS, END_HEADERS, (stream += 2) - 2, b)));
        socket.write(bytes);
        sent += bytes.length;
        await until(() => at.received() >= sent);
      };
      const blocksSeen = (n: number) => until(() => t.parserStats().headerBlocks >= n);
      socket.write(Buffer.concat([PREFACE, frame(SETTINGS, 0, 0, Buffer.alloc(0))]));
      sent = PREFACE.length + 9;

      // Eight streams opened, none answered: four fill the connection's slots, four go to h2_streams.
      // Two different blocks: two label keys (one sent, then known).
      await send(
        block('a'),
        block('b'),
        block('a'),
        block('b'),
        block('a'),
        block('b'),
        block('a'),
        block('b'),
      );
      await blocksSeen(2);
      expect(t.parserStats().headerBlocks).toBe(2);
      expect(ownMapEntries('h2_labels')).toBe(2);
      expect(ownMapEntries('h2_streams')).toBe(4);

      // A block that changes the table: the two keys of the version before it are over.
      await send(changing);
      await blocksSeen(3);
      await until(() => ownMapEntries('h2_labels') === 0);
      expect(ownMapEntries('h2_labels')).toBe(0);
      await send(block('a'));
      await blocksSeen(4);
      expect(ownMapEntries('h2_labels')).toBe(1);

      socket.destroy();
      await until(() => ownMapEntries('h2_labels') + ownMapEntries('h2_streams') === 0);
      expect(ownMapEntries('h2_labels')).toBe(0);
      expect(ownMapEntries('h2_streams')).toBe(0);
      expect(t.parserStats().lostSync).toBe(0);
    },
  );
});
