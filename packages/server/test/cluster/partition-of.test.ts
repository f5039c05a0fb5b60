import { describe, expect, it } from 'vitest';
import { fnv1a32, hash32 } from '../../src/cluster/hash32.js';
import { partitionOf } from '../../src/cluster/partition-of.js';
import { rendezvousWeight } from '../../src/cluster/rendezvous.js';

describe('partitionOf', () => {
  it('hashes with FNV-1a 32-bit (published test vectors) then fmix32', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
    // fmix32(0) = 0, and the result is what partitionOf reduces.
    expect(partitionOf('a', 1000)).toBe(hash32('a') % 1000);
    expect(hash32('a')).not.toBe(fnv1a32('a'));
  });

  it('spreads 10 000 series over 16 partitions within 10% of even', () => {
    const counts = new Array(16).fill(0);
    for (let i = 0; i < 10_000; i++) counts[partitionOf(`svc-${i % 97}/metric-${i}`, 16)]++;
    for (const n of counts) expect(Math.abs(n - 625) / 625).toBeLessThan(0.1);
  });

  it('gives each partition a different preferred worker among three, roughly evenly', () => {
    const workers = ['a', 'b', 'c'];
    const wins = new Map(workers.map((w) => [w, 0]));
    for (let p = 0; p < 300; p++) {
      const best = workers.reduce((x, y) => (rendezvousWeight(y, p) > rendezvousWeight(x, p) ? y : x));
      wins.set(best, wins.get(best)! + 1);
    }
    for (const n of wins.values()) expect(n).toBeGreaterThan(70);
  });
});
