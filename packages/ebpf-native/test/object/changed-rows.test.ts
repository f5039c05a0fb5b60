import { describe, expect, it } from 'vitest';
import type { MapContents } from '../../src/object/bpf-map.js';
import { ChangedRows } from '../../src/object/changed-rows.js';

/** A read of a map with 4-byte keys and 8-byte values, in the order given. */
function read(entries: Array<[number, number]>): MapContents {
  const keys = Buffer.alloc(entries.length * 4);
  const values = Buffer.alloc(entries.length * 8);
  entries.forEach(([k, v], i) => {
    keys.writeUInt32LE(k, i * 4);
    values.writeBigUInt64LE(BigInt(v), i * 8);
  });
  return { keys, values, count: entries.length, valueStride: 8, perCpuStride: 8 };
}

function changes(rows: ChangedRows<number>, contents: MapContents): number[] {
  rows.begin(contents);
  const unchanged: number[] = [];
  for (let i = 0; i < contents.count; i++) {
    const key = contents.keys.readUInt32LE(i * 4);
    if (rows.unchanged(key, i)) unchanged.push(key);
  }
  rows.end();
  return unchanged;
}

describe('ChangedRows', () => {
  it('finds the entries whose bytes are the same as at the last read, wherever their rows moved', () => {
    const rows = new ChangedRows<number>();
    expect(
      changes(
        rows,
        read([
          [1, 10],
          [2, 20],
          [3, 30],
        ]),
      ),
    ).toEqual([]);
    // 2 moved to another row and kept its value; 1 changed; 3 left; 4 is new.
    expect(
      changes(
        rows,
        read([
          [2, 20],
          [4, 40],
          [1, 11],
        ]),
      ),
    ).toEqual([2]);
    // Compared with the read just before, not the first one.
    expect(
      changes(
        rows,
        read([
          [1, 11],
          [3, 30],
          [4, 41],
        ]),
      ),
    ).toEqual([1]);
  });
});
