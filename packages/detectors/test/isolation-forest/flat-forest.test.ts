import { describe, expect, it } from 'vitest';
import { averagePathLength } from '../../src/isolation-forest/average-path-length.js';
import { FlatForest } from '../../src/isolation-forest/flat-forest.js';
import { growForest, type RowReader } from '../../src/isolation-forest/grow-forest.js';
import { plantedOutliers, rocAuc, spearman, toRows } from './fixtures.js';
import { referenceIsolationForest } from './reference-forest.js';

// Seeded fits of thousands of rows take a few seconds on a shared 2-core CI machine, beyond vitest's 5 s default.
const FIT_TIMEOUT_MS = 30_000;

function readerOf(rows: number[][]): RowReader {
  return (i, out, offset) => {
    for (let j = 0; j < rows[i].length; j++) out[offset + j] = rows[i][j];
  };
}

function grow(rows: number[][], options: Partial<Parameters<typeof growForest>[3]> = {}): FlatForest {
  const d = rows[0].length;
  return growForest(d, rows.length, readerOf(rows), {
    nTrees: 100,
    sampleSize: Math.min(256, rows.length),
    featuresPerTree: d,
    extensionLevel: 0,
    seed: 11,
    ...options,
  });
}

function scoreAll(forest: FlatForest, rows: number[][]): Float64Array {
  const out = new Float64Array(rows.length);
  forest.scoreColumns(
    rows[0].map((_, j) => rows.map((r) => r[j])),
    out,
  );
  return out;
}

describe('growForest + FlatForest', { timeout: FIT_TIMEOUT_MS }, () => {
  it('uses the height limit ⌈log2 ψ⌉', () => {
    const rows = toRows(plantedOutliers({ n: 1000, d: 2, seed: 2 }).values);
    expect(grow(rows, { sampleSize: 256 }).shape.depth).toBe(8);
    expect(grow(rows, { sampleSize: 100 }).shape.depth).toBe(7);
    expect(grow(rows, { sampleSize: 2 }).shape.depth).toBe(1);
  });

  it('scores exactly 2^(−1/c(2)) = 0.5 when ψ = 2 (one split isolates both points at depth 1)', () => {
    const rows = [
      [0, 0],
      [1, 3],
    ];
    const s = scoreAll(grow(rows, { sampleSize: 2, nTrees: 5 }), [
      [0, 0],
      [1, 3],
      [-50, 70],
    ]);
    expect(Array.from(s)).toEqual([0.5, 0.5, 0.5]);
  });

  it('all training rows equal: those rows score 0.5 (E[h] = c(ψ)), a row that differs is isolated one cut below', () => {
    const rows = Array.from({ length: 300 }, () => [2, 2, 2]);
    const s = scoreAll(grow(rows), [
      [2, 2, 2],
      [100, -4, 7],
      [2 - 1e-9, 2, 2],
    ]);
    // Summing 100 copies of c(256) and dividing by 100·c(256) rounds, hence 12 digits rather than equality.
    expect(s[0]).toBeCloseTo(0.5, 12);
    // The root of every tree is fenced on the value 2: a departure ends at depth 1, s = 2^(−1/c(256)).
    expect(s[1]).toBeCloseTo(2 ** (-1 / averagePathLength(256)), 12);
    expect(s[2]).toBeCloseTo(2 ** (-1 / averagePathLength(256)), 12);
  });

  it('ranks rows like the object-per-node reference (Spearman ≥ 0.9) and finds planted outliers', () => {
    for (const d of [2, 4]) {
      const data = plantedOutliers({ n: 3000, d, seed: 20 + d });
      const rows = toRows(data.values);
      const ours = scoreAll(grow(rows), rows);
      const reference = referenceIsolationForest(rows, rows, { seed: 99 });
      expect(spearman(ours, reference)).toBeGreaterThanOrEqual(0.9);
      expect(rocAuc(ours, data.labels)).toBeGreaterThanOrEqual(0.95);
      expect(rocAuc(reference, data.labels)).toBeGreaterThanOrEqual(0.95);
    }
  });

  it('averages over trees toward the reference: mean absolute score difference is small', () => {
    const data = plantedOutliers({ n: 2000, d: 3, seed: 5 });
    const rows = toRows(data.values);
    const ours = scoreAll(grow(rows, { nTrees: 300 }), rows);
    const reference = referenceIsolationForest(rows, rows, { nTrees: 300, seed: 3 });
    let diff = 0;
    for (let i = 0; i < rows.length; i++) diff += Math.abs(ours[i] - reference[i]);
    // Two independent 300-tree forests of the same algorithm: the scores agree to ~0.01 on average.
    expect(diff / rows.length).toBeLessThan(0.02);
  });

  it('extended variant (hyperplanes over all features) also isolates planted outliers', () => {
    const data = plantedOutliers({ n: 3000, d: 4, seed: 8 });
    const rows = toRows(data.values);
    const forest = grow(rows, { extensionLevel: 3 });
    expect(forest.shape.extensionLevel).toBe(3);
    expect(rocAuc(scoreAll(forest, rows), data.labels)).toBeGreaterThanOrEqual(0.95);
  });

  it('scores a single row exactly as the batch path, NaN for a missing value', () => {
    const data = plantedOutliers({ n: 500, d: 3, seed: 4 });
    const rows = toRows(data.values);
    for (const extensionLevel of [0, 2]) {
      const forest = grow(rows, { extensionLevel });
      const batch = scoreAll(forest, rows.slice(0, 37));
      for (let i = 0; i < 37; i++) expect(forest.scoreRow(rows[i])).toBe(batch[i]);
      expect(forest.scoreRow([1, Number.NaN, 2])).toBeNaN();
      const withGap = scoreAll(forest, [rows[0], [0, Number.NaN, 0], rows[2]]);
      expect(Number.isNaN(withGap[1])).toBe(true);
      expect(withGap[2]).toBe(batch[2]);
    }
  });

  it('round-trips through JSON bit-identically', () => {
    const data = plantedOutliers({ n: 800, d: 2, seed: 6 });
    const rows = toRows(data.values);
    for (const extensionLevel of [0, 1]) {
      const forest = grow(rows, { extensionLevel });
      const copy = FlatForest.fromJSON(JSON.parse(JSON.stringify(forest.toJSON())));
      expect(Array.from(scoreAll(copy, rows))).toEqual(Array.from(scoreAll(forest, rows)));
    }
  });

  it('rejects a truncated snapshot with INVALID_SNAPSHOT', () => {
    const forest = grow(toRows(plantedOutliers({ n: 300, d: 2, seed: 1 }).values), { nTrees: 3 });
    const state = { ...forest.toJSON(), leaf: forest.toJSON().leaf.slice(0, 20) };
    expect(() => FlatForest.fromJSON(state)).toThrow(expect.objectContaining({ code: 'INVALID_SNAPSHOT' }));
  });
});
