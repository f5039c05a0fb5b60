import { afterEach, expect, it } from 'vitest';
import { bpfObjectPath } from '../../src/native/package-paths.js';
import { BpfObject } from '../../src/object/bpf-object.js';
import type { RecordBatch, RingBuffer } from '../../src/object/ring-buffer.js';
import { describeEbpf } from '../helpers/require-ebpf.js';

let obj: BpfObject | undefined;
afterEach(() => obj?.close());

/** Loads the generator: each test run of `generate` emits `count` 16-byte events numbered from `first`. */
function generator(ringBytes: number): BpfObject {
  const o = BpfObject.open(bpfObjectPath('stress'));
  o.resizeMap('events', ringBytes);
  o.load();
  return o;
}

function emit(o: BpfObject, first: number, count: number): void {
  const ctx = Buffer.alloc(16);
  ctx.writeBigUInt64LE(BigInt(first), 0);
  ctx.writeBigUInt64LE(BigInt(count), 8);
  expect(o.testRun('generate', ctx).retval).toBe(count);
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
}

describeEbpf('ring buffer delivery', () => {
  it('delivers 2^20 events exactly once each, in batches, with a drop counter of zero when paced', async () => {
    obj = generator(1 << 22);
    const total = 1 << 20;
    const seen = new Uint8Array(total);
    let received = 0;
    let duplicates = 0;
    let outOfOrder = 0;
    let last = -1;
    const ring: RingBuffer = obj.consumeRingBuffer('events', ({ data, offsets, count }: RecordBatch) => {
      for (let i = 0; i < count; i++) {
        const seq = Number(data.readBigUInt64LE(offsets[i]));
        if (seen[seq]++) duplicates++;
        if (seq < last) outOfOrder++;
        last = seq;
      }
      received += count;
    });
    const chunk = 1 << 14;
    for (let first = 0; first < total; first += chunk) {
      emit(obj, first, chunk);
      await until(() => received + (ring.stats().kernelDrops ?? 0) >= first + chunk);
    }
    const stats = ring.stats();
    expect(stats.kernelDrops).toBe(0);
    expect(received).toBe(total);
    expect(stats.records).toBe(total);
    expect(duplicates).toBe(0);
    expect(outOfOrder).toBe(0);
    expect(seen.every((v) => v === 1)).toBe(true);
    // The point of batching: far fewer main-thread wake-ups than events.
    expect(stats.batches).toBeLessThan(total / 100);
  });

  it('counts every event it could not queue when a burst overflows the ring: received + dropped = emitted', async () => {
    obj = generator(1 << 20); // 1 MiB holds 43690 records of 24 bytes
    const emitted = 2_000_000;
    const seqs: number[] = [];
    const ring = obj.consumeRingBuffer('events', ({ data, offsets, count }) => {
      for (let i = 0; i < count; i++) seqs.push(Number(data.readBigUInt64LE(offsets[i])));
    });
    const half = emitted / 2;
    emit(obj, 0, half);
    emit(obj, half, half);
    await until(() => seqs.length + (ring.stats().kernelDrops ?? 0) === emitted);
    await new Promise((r) => setTimeout(r, 50)); // nothing more may arrive
    const drops = ring.stats().kernelDrops ?? 0;
    expect(seqs.length + drops).toBe(emitted);
    expect(drops).toBeGreaterThan(0);
    expect(seqs.length).toBeGreaterThanOrEqual(43690);
    let disordered = 0;
    for (let i = 1; i < seqs.length; i++) if (seqs[i] <= seqs[i - 1]) disordered++;
    expect(disordered).toBe(0);
    expect(seqs[seqs.length - 1]).toBeLessThan(emitted);
  });

  it('stops delivering after close and releases the object', async () => {
    obj = generator(1 << 16);
    let received = 0;
    const ring = obj.consumeRingBuffer(
      'events',
      ({ count }) => {
        received += count;
      },
      { flushMs: 1 },
    );
    emit(obj, 0, 100);
    await until(() => received === 100);
    ring.close();
    emit(obj, 100, 100);
    await new Promise((r) => setTimeout(r, 50));
    expect(received).toBe(100);
    obj.close();
    expect(obj.loaded).toBe(false);
    expect(() => obj!.testRun('generate')).toThrow(expect.objectContaining({ code: 'EBPF_CLOSED' }));
  });
});

describeEbpf('ring buffer shutdown', () => {
  it('closes the object from inside a batch callback without deadlock or further batches', async () => {
    const o = generator(1 << 16);
    let batches = 0;
    let closedInside = false;
    o.consumeRingBuffer(
      'events',
      () => {
        batches++;
        if (!closedInside) {
          closedInside = true;
          o.close();
        }
      },
      { maxBatch: 10, flushMs: 1 },
    );
    emit(o, 0, 100);
    await until(() => closedInside);
    await new Promise((r) => setTimeout(r, 50));
    expect(o.loaded).toBe(false);
    // Batches already queued when close() ran may still arrive; none are produced afterwards.
    const after = batches;
    await new Promise((r) => setTimeout(r, 50));
    expect(batches).toBe(after);
    expect(batches).toBeLessThanOrEqual(10);
  });
});
