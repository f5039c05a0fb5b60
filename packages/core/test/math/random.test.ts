import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/math/random.js';

describe('createRng (xoshiro128**)', () => {
  it('is deterministic per seed and resumable from its state', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (seed) => {
        const a = createRng(seed);
        const b = createRng(seed);
        for (let i = 0; i < 5; i++) if (a.next() !== b.next()) return false;
        const resumed = createRng(a.state());
        return resumed.next() === a.next();
      }),
    );
    expect(createRng(1).next()).not.toBe(createRng(2).next());
  });

  it('draws uniform and normal deviates with the right moments', () => {
    const rng = createRng(42);
    const n = 200_000;
    let su = 0;
    let sn = 0;
    let sn2 = 0;
    let maxInt = 0;
    for (let i = 0; i < n; i++) {
      su += rng.next();
      const z = rng.normal();
      sn += z;
      sn2 += z * z;
      maxInt = Math.max(maxInt, rng.int(10));
    }
    expect(su / n).toBeCloseTo(0.5, 2);
    expect(sn / n).toBeCloseTo(0, 2);
    expect(sn2 / n).toBeCloseTo(1, 1);
    expect(maxInt).toBe(9);
    const arr = rng.shuffle([1, 2, 3, 4, 5]);
    expect([...arr].sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('rejects non-integer seeds', () => {
    expect(() => createRng(1.5)).toThrowError(expect.objectContaining({ code: 'INVALID_OPTION' }));
    expect(() => createRng([1, 2])).toThrowError(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });
});
