/** The tracer's HPACK decoder against RFC 7541's examples and, on random header lists, against hpack.js's encoder. */
import fc from 'fast-check';
import hpack from 'hpack.js';
import { expect, it } from 'vitest';
import { HpackDecoder, HpackError } from '../../src/tracing/hpack-decoder.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

it('decodes the request examples of RFC 7541 Appendix C.4 (Huffman), in sequence, with the dynamic table', () => {
  const d = new HpackDecoder();
  expect(d.decode(hex('8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff'))).toEqual([
    [':method', 'GET'],
    [':scheme', 'http'],
    [':path', '/'],
    [':authority', 'www.example.com'],
  ]);
  expect(d.decode(hex('8286 84be 5886 a8eb 1064 9cbf'))).toEqual([
    [':method', 'GET'],
    [':scheme', 'http'],
    [':path', '/'],
    [':authority', 'www.example.com'],
    ['cache-control', 'no-cache'],
  ]);
  expect(d.decode(hex('8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf'))).toEqual([
    [':method', 'GET'],
    [':scheme', 'https'],
    [':path', '/index.html'],
    [':authority', 'www.example.com'],
    ['custom-key', 'custom-value'],
  ]);
});

it('decodes what hpack.js encodes, block after block on one connection', () => {
  // Names such as `constructor` are left out: hpack.js's encoder looks names up in a plain object and
  // encodes them as a reference to a table index that does not exist.
  const token = fc.stringMatching(/^[a-z0-9-]{1,12}$/).filter((t) => !(t in Object.prototype));
  const value = fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e]/g, 'x'));
  fc.assert(
    fc.property(
      fc.array(fc.array(fc.tuple(token, value), { minLength: 1, maxLength: 8 }), { maxLength: 6 }),
      (blocks) => {
        const compressor = hpack.compressor.create({ table: { size: 4096 } });
        const decoder = new HpackDecoder();
        for (const headers of blocks) {
          compressor.write(headers.map(([name, v]) => ({ name, value: v })));
          const parts: Buffer[] = [];
          for (let b = compressor.read(); b; b = compressor.read()) parts.push(b);
          expect(decoder.decode(Buffer.concat(parts))).toEqual(headers);
        }
      },
    ),
    { numRuns: 200 },
  );
});

it('throws HpackError on malformed blocks', () => {
  expect(() => new HpackDecoder().decode(hex('ff'))).toThrow(HpackError); // truncated integer
  expect(() => new HpackDecoder().decode(hex('be'))).toThrow(HpackError); // index 62, empty dynamic table
  expect(() => new HpackDecoder().decode(hex('4005 6162'))).toThrow(HpackError); // truncated name
  expect(() => new HpackDecoder().decode(hex('3fe2 1f'))).toThrow(HpackError); // size update to 4097
});
