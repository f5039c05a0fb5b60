/** The HTTP/1.x stream parser on captures as the probe makes them: heads and tails of each transfer. */
import { describe, expect, it } from 'vitest';
import { Capture } from '../../src/tracing/capture.js';
import { type Http1Head, Http1Stream } from '../../src/tracing/http1-stream.js';

const HEAD = 1024;
const TAIL = 256;

/** What the probe would copy of `bytes`. */
function capture(bytes: Buffer | string): Capture {
  const b = Buffer.from(bytes);
  const head = b.subarray(0, HEAD);
  const tail = b.length > HEAD ? b.subarray(Math.max(HEAD, b.length - TAIL)) : Buffer.alloc(0);
  return new Capture(b.length, head, tail);
}

function recorder(kind: 'request' | 'response', method = 'GET') {
  const events: string[] = [];
  const stream = new Http1Stream(
    kind,
    {
      head: (h: Http1Head, t) =>
        events.push(['head', h.method ?? h.status, h.target, `@${t}`].filter(Boolean).join(' ')),
      complete: (t) => events.push(`end @${t}`),
    },
    () => method,
  );
  let clock = 0n;
  const feed = (bytes: Buffer | string) => {
    clock += 10n;
    stream.feed(capture(bytes), clock, clock + 1n);
  };
  return { events, stream, feed };
}

describe('Http1Stream', () => {
  it('skips a Content-Length body of 1 MB copied only at its head and tail, then reads the next response', () => {
    const { events, stream, feed } = recorder('response');
    const body = Buffer.alloc(1 << 20, 97);
    feed(
      Buffer.concat([
        Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`),
        body.subarray(0, 60_000),
      ]),
    );
    feed(body.subarray(60_000, 500_000));
    feed(
      Buffer.concat([
        body.subarray(500_000),
        Buffer.from('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n'),
      ]),
    );
    expect(events).toEqual(['head 200 @10', 'end @31', 'head 404 @30', 'end @31']);
    expect(stream.lostSync).toBe(0);
  });

  it('follows chunk sizes across writes when each write starts with its chunk-size line', () => {
    const { events, stream, feed } = recorder('response');
    feed('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
    const big = 'x'.repeat(5000);
    feed(`${big.length.toString(16)}\r\n${big}\r\n`);
    feed('5;ext=1\r\nhello\r\n');
    feed('0\r\n\r\n');
    expect(events).toEqual(['head 200 @10', 'end @41']);
    expect(stream.lostSync).toBe(0);
  });

  it('reads a chunk-size line found in the tail of a large write', () => {
    const { events, stream, feed } = recorder('response');
    const big = 'y'.repeat(4000);
    feed(
      `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${big.length.toString(16)}\r\n${big}\r\n3\r\nabc\r\n0\r\n\r\n`,
    );
    expect(events).toEqual(['head 200 @10', 'end @11']);
    expect(stream.lostSync).toBe(0);
  });

  it('joins a head split across two reads', () => {
    const { events, feed } = recorder('request');
    feed('GET /split HTTP/1.1\r\nHost: a\r\n');
    feed('Accept: */*\r\n\r\n');
    expect(events).toEqual(['head GET /split @10', 'end @21']);
  });

  it('reports a request whose headers outgrow the capture, then resynchronises on the next request', () => {
    const { events, stream, feed } = recorder('request');
    feed(`POST /upload HTTP/1.1\r\nCookie: ${'c'.repeat(3000)}\r\nContent-Length: 10\r\n\r\n0123456789`);
    feed('more body bytes that are not a request');
    feed('GET /next HTTP/1.1\r\n\r\n');
    expect(events).toEqual(['head POST /upload @10', 'end @11', 'head GET /next @30', 'end @31']);
    expect(stream.lostSync).toBe(1);
  });

  it('knows responses to HEAD, 204 and 304 have no body, skips 100 Continue, and ends a length-less response at close', () => {
    const head = recorder('response', 'HEAD');
    head.feed('HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n');
    expect(head.events).toEqual(['head 200 @10', 'end @11']);
    const interim = recorder('response', 'POST');
    interim.feed('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n');
    expect(interim.events).toEqual(['head 204 @10', 'end @11']);
    const untilClose = recorder('response', 'GET');
    untilClose.feed('HTTP/1.0 200 OK\r\n\r\nsome body');
    untilClose.feed('more body');
    untilClose.stream.close(99n);
    expect(untilClose.events).toEqual(['head 200 @10', 'end @99']);
  });

  it('loses sync on bytes that are not HTTP and counts it', () => {
    const { events, stream, feed } = recorder('request');
    feed(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]));
    expect(events).toEqual([]);
    expect(stream.lostSync).toBe(1);
  });
});
