import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeriesRing } from '../../src/pipeline/series-ring.js';

describe('SeriesRing', () => {
  it('keeps the newest `capacity` points in order, growing its arrays only as points arrive', () => {
    const ring = new SeriesRing(100, 4);
    expect(ring.bytes).toBe(2 * 4 * 8);
    for (let i = 0; i < 10; i++) ring.push(i * 1000, i);
    expect(ring.bytes).toBe(2 * 16 * 8);
    for (let i = 10; i < 250; i++) ring.push(i * 1000, i);
    expect(ring.bytes).toBe(2 * 100 * 8);
    expect(ring.size).toBe(100);
    expect(ring.total).toBe(250);
    const { timestamps, values } = ring.ordered();
    expect(Array.from(values)).toEqual(Array.from({ length: 100 }, (_, i) => 150 + i));
    expect(timestamps[0]).toBe(150_000);
    expect(Array.from(ring.ordered(3).values)).toEqual([247, 248, 249]);
    expect(Array.from(ring.since(246).values)).toEqual([246, 247, 248, 249]);
  });

  it('matches a plain array trimmed to capacity (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.double({ noNaN: true }), { maxLength: 200 }),
        (capacity, xs) => {
          const ring = new SeriesRing(capacity, 1);
          for (let i = 0; i < xs.length; i++) ring.push(i, xs[i]);
          expect(Array.from(ring.ordered().values)).toEqual(xs.slice(-capacity));
          expect(Array.from(ring.ordered().timestamps)).toEqual(xs.map((_, i) => i).slice(-capacity));
        },
      ),
      { seed: 7 },
    );
  });
});
