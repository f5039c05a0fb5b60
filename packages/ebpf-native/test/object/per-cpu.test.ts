import { describe, expect, it } from 'vitest';
import { aggregatePerCpuU64, splitPerCpu, sumPerCpuU64, u64At } from '../../src/object/per-cpu.js';

describe('per-CPU values', () => {
  it('splits 8-byte-aligned slots and combines u64 lanes by sum, max and min', () => {
    // Three CPUs, a 12-byte value padded to 16 bytes per CPU.
    const raw = Buffer.alloc(48);
    for (let cpu = 0; cpu < 3; cpu++) {
      raw.writeBigUInt64LE(BigInt(cpu + 1), cpu * 16);
      raw.writeUInt32LE(100 * (cpu + 1), cpu * 16 + 8);
    }
    const perCpu = splitPerCpu(raw, 12, 3);
    expect(perCpu.map((b) => b.length)).toEqual([12, 12, 12]);
    expect(perCpu.map((b) => b.readUInt32LE(8))).toEqual([100, 200, 300]);

    const lanes = Buffer.alloc(3 * 24);
    const values = [
      [5n, 10n, 7n],
      [1n, 30n, 2n],
      [4n, 20n, 9n],
    ];
    for (let cpu = 0; cpu < 3; cpu++) {
      for (let i = 0; i < 3; i++) lanes.writeBigUInt64LE(values[cpu][i], cpu * 24 + i * 8);
    }
    const split = splitPerCpu(lanes, 24, 3);
    expect(aggregatePerCpuU64(split)).toEqual([10n, 60n, 18n]);
    expect(aggregatePerCpuU64(split, ['sum', 'max', 'min'])).toEqual([10n, 30n, 2n]);
    expect(aggregatePerCpuU64([])).toEqual([]);
  });

  it('reads u64s as numbers and sums a lane over CPUs without BigInts', () => {
    const b = Buffer.alloc(16);
    b.writeBigUInt64LE(2n ** 40n + 7n, 0);
    b.writeBigUInt64LE(2n ** 53n - 1n, 8);
    expect(u64At(b, 0)).toBe(2 ** 40 + 7);
    expect(u64At(b, 8)).toBe(Number.MAX_SAFE_INTEGER);
    // Two entries of a per-CPU map on 3 CPUs, a 16-byte value: entry 1's second lane is 5 + 6 + 7.
    const values = Buffer.alloc(2 * 3 * 16);
    for (let cpu = 0; cpu < 3; cpu++) values.writeBigUInt64LE(BigInt(5 + cpu), 48 + cpu * 16 + 8);
    expect(sumPerCpuU64(values, 1, 8, { valueStride: 48, perCpuStride: 16 })).toBe(18);
    expect(sumPerCpuU64(values, 0, 8, { valueStride: 48, perCpuStride: 16 })).toBe(0);
  });
});
