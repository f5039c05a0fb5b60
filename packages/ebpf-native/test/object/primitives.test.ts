import { afterEach, expect, it } from 'vitest';
import { bpfObjectPath } from '../../src/native/package-paths.js';
import { BpfObject } from '../../src/object/bpf-object.js';
import { describeEbpf } from '../helpers/require-ebpf.js';

let obj: BpfObject | undefined;
afterEach(() => obj?.close());

/** The programs bench/ebpf-overhead/primitives.ts times: each must do its 32 operations, not nothing. */
describeEbpf('the primitives bench object', () => {
  it('loads, and each program performs its operation 32 times (the sum it leaves in `sink`)', () => {
    obj = BpfObject.open(bpfObjectPath('primitives'));
    obj.load();
    const key = Buffer.alloc(24);
    key.writeBigUInt64LE(1n, 0);
    key.writeBigUInt64LE(2n, 8);
    key.writeBigUInt64LE(3n, 16);
    const seven = Buffer.alloc(8);
    seven.writeBigUInt64LE(7n);
    obj.map('prim_hash').update(key, seven);
    const bss = obj.maps.find((m) => m.name.endsWith('.bss'));
    expect(bss).toBeDefined();
    const sink = () => obj!.map(bss!.name).lookup(0)!.readBigUInt64LE(0);
    const run = (name: string) => {
      expect(obj!.testRun(name, Buffer.alloc(16)).retval).toBe(0);
      return sink();
    };
    expect(run('prim_hash_lookup')).toBe(32n * 7n);
    expect(run('prim_loop_step')).toBe(BigInt((31 * 32) / 2));
    expect(run('prim_array_lookup')).toBe(BigInt((31 * 32) / 2));
    // 32 readings of the monotonic clock, each past the boot's first millisecond.
    expect(run('prim_clock')).toBeGreaterThan(32n * 1_000_000n);
    expect(run('prim_helper')).toBeGreaterThan(0n);
    run('prim_user_read');
    run('prim_empty');
  });
});
