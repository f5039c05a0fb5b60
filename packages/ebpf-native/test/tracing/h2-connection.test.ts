/** HTTP/2 parsing on hand-built frames: HPACK-encoded header blocks, frame headers split across transfers. */
import hpack from 'hpack.js';
import { expect, it } from 'vitest';
import { Capture } from '../../src/tracing/capture.js';
import { H2Connection } from '../../src/tracing/h2-connection.js';
import { H2_PREFACE } from '../../src/tracing/h2-frames.js';
import type { ParsedExchange } from '../../src/tracing/http-request.js';
import { frame } from '../helpers/raw-h2.js';

/** An encoder per direction, as a real peer keeps (its dynamic table persists across blocks). */
function encoder() {
  const c = hpack.compressor.create({ table: { size: 4096 } });
  return (headers: Array<[string, string]>): Buffer => {
    c.write(headers.map(([name, value]) => ({ name, value })));
    const parts: Buffer[] = [];
    for (let b = c.read(); b; b = c.read()) parts.push(b);
    return Buffer.concat(parts);
  };
}

it('pairs gRPC calls with their trailers across interleaved streams and split frame headers', () => {
  const out: ParsedExchange[] = [];
  const conn = new H2Connection('server', (x) => out.push(x));
  const client = encoder();
  const server = encoder();
  const request = (path: string) =>
    client([
      [':method', 'POST'],
      [':scheme', 'http'],
      [':path', path],
      ['content-type', 'application/grpc'],
      ['te', 'trailers'],
    ]);
  const clientBytes = Buffer.concat([
    H2_PREFACE,
    frame(4, 0, 0, Buffer.alloc(0)),
    frame(1, 4, 1, request('/pkg.Svc/Get')),
    frame(1, 4, 3, request('/pkg.Svc/Put')), // the second block refers to the first's dynamic-table entries
    frame(0, 1, 1, Buffer.alloc(12)),
    frame(0, 1, 3, Buffer.alloc(40)),
  ]);
  const serverBytes = Buffer.concat([
    frame(4, 0, 0, Buffer.alloc(0)),
    frame(
      1,
      4,
      3,
      server([
        [':status', '200'],
        ['content-type', 'application/grpc'],
      ]),
    ),
    frame(0, 0, 3, Buffer.alloc(2000)),
    frame(
      1,
      5,
      3,
      server([
        ['grpc-status', '13'],
        ['grpc-message', 'disk full'],
      ]),
    ),
    frame(
      1,
      4,
      1,
      server([
        [':status', '200'],
        ['content-type', 'application/grpc'],
      ]),
    ),
    frame(0, 0, 1, Buffer.alloc(30)),
    frame(1, 5, 1, server([['grpc-status', '0']])),
  ]);
  conn.feed('in', new Capture(clientBytes.length, clientBytes), 100, 110);
  // Three writes, cut inside a frame header and inside a DATA payload; each fully copied.
  const cuts = [5, 1200, serverBytes.length];
  let at = 0;
  cuts.forEach((end, i) => {
    const part = serverBytes.subarray(at, end);
    conn.feed('out', new Capture(part.length, part), 200 + i * 10, 205 + i * 10);
    at = end;
  });
  expect(out.map((x) => [x.grpc, x.status, x.startNs, x.endNs])).toEqual([
    [{ service: 'pkg.Svc', method: 'Put', statusCode: 13 }, 200, 100, 225],
    [{ service: 'pkg.Svc', method: 'Get', statusCode: 0 }, 200, 100, 225],
  ]);
  expect(conn.lostSync).toBe(0);
});

it('loses sync, and says so, when a frame header falls in bytes that were not copied', () => {
  const conn = new H2Connection('server', () => {});
  const client = Buffer.concat([
    H2_PREFACE,
    frame(0, 0, 1, Buffer.alloc(5000)),
    frame(0, 1, 1, Buffer.alloc(10)),
  ]);
  // Head 1 KiB and the last 8 bytes of a 5 kB write: the second frame's header is in neither.
  conn.feed(
    'in',
    new Capture(client.length, client.subarray(0, 1024), client.subarray(client.length - 8)),
    1,
    2,
  );
  expect(conn.lostSync).toBe(1);
});
