import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { type Mapping, mappingAt, processStart, readMaps } from '../../src/profiling/proc-maps.js';

const maps: Mapping[] = [
  { start: 0x1000n, end: 0x2000n, offset: 0n, path: '/bin/a' },
  { start: 0x2000n, end: 0x3000n, offset: 0x1000n, path: '/bin/a' },
  { start: 0x8000n, end: 0x9000n, offset: 0n, path: '[anon]' },
];

it('finds the mapping holding an address by binary search, with half-open bounds and gaps', () => {
  expect(mappingAt(maps, 0x1000n)).toBe(maps[0]);
  expect(mappingAt(maps, 0x1fffn)).toBe(maps[0]);
  expect(mappingAt(maps, 0x2000n)).toBe(maps[1]);
  expect(mappingAt(maps, 0x8fffn)).toBe(maps[2]);
  expect(mappingAt(maps, 0xfffn)).toBeUndefined();
  expect(mappingAt(maps, 0x3000n)).toBeUndefined();
  expect(mappingAt(maps, 0x9000n)).toBeUndefined();
  expect(mappingAt([], 0x1000n)).toBeUndefined();
});

it("reads this process's executable mappings, node's own code among them, and agrees with a linear scan", () => {
  const own = readMaps(process.pid);
  expect(own.length).toBeGreaterThan(3);
  expect(own.some((m) => m.path === process.execPath || m.path.endsWith('/node'))).toBe(true);
  const text = readFileSync('/proc/self/maps', 'utf8').trim().split('\n');
  expect(own.length).toBe(text.filter((l) => l.split(' ')[1][2] === 'x').length);
  for (let i = 1; i < own.length; i++) expect(own[i].start).toBeGreaterThanOrEqual(own[i - 1].end);
  for (const m of own) {
    for (const a of [m.start, m.end - 1n, (m.start + m.end) / 2n]) {
      expect(mappingAt(own, a)).toBe(own.find((x) => a >= x.start && a < x.end));
    }
  }
});

it("reads a process's start time, and nothing for a process that does not exist", () => {
  expect(processStart(process.pid)).toMatch(/^\d+$/);
  expect(processStart(process.pid)).toBe(processStart(process.pid));
  expect(processStart(2 ** 30)).toBeUndefined();
});
