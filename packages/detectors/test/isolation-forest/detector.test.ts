import { createRng, frameFromRows, loadDetector, VigilInputError } from '@vigil/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDetector } from '../../src/create-detector.js';
import { IsolationForestDetector } from '../../src/index.js';
import { plantedOutliers, rocAuc, spearman, toRows } from './fixtures.js';
import { referenceIsolationForest } from './reference-forest.js';

// Seeded fits of thousands of rows take a few seconds on a shared 2-core CI machine, beyond vitest's 5 s default.
const FIT_TIMEOUT_MS = 30_000;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof VigilInputError ? e.code : `not a VigilInputError: ${String(e)}`;
  }
  return undefined;
}

async function rejectionCode(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return e instanceof VigilInputError ? `${e.code} ${e.field}` : `not a VigilInputError: ${String(e)}`;
  }
  return undefined;
}

describe('IsolationForestDetector on frames', { timeout: FIT_TIMEOUT_MS }, () => {
  it('finds planted outliers in 2-D and 4-D Gaussian mixtures (ROC-AUC ≥ 0.95), both variants', async () => {
    for (const d of [2, 4]) {
      const train = plantedOutliers({ n: 4000, d, seed: 100 + d });
      const test = plantedOutliers({ n: 4000, d, seed: 100 + d, drawSeed: d, outlierFraction: 0.02 });
      for (const extensionLevel of [0, 'full'] as const) {
        const det = new IsolationForestDetector({ seed: 3, extensionLevel });
        await det.fit(train);
        const { score, raw } = await det.score(test);
        expect(rocAuc(score, test.labels)).toBeGreaterThanOrEqual(0.95);
        expect(rocAuc(raw!, test.labels)).toBeGreaterThanOrEqual(0.95);
      }
    }
  });

  it('ranks rows like the slow reference implementation (Spearman ≥ 0.9)', async () => {
    const data = plantedOutliers({ n: 3000, d: 4, seed: 41 });
    const det = new IsolationForestDetector({ seed: 1 });
    await det.fit(data);
    const { raw } = await det.score(data);
    const rows = toRows(data.values);
    expect(spearman(raw!, referenceIsolationForest(rows, rows, { seed: 2 }))).toBeGreaterThanOrEqual(0.9);
  });

  it('is calibrated: on fresh normal rows the share scoring ≥ 1 − α is close to α', async () => {
    const train = plantedOutliers({ n: 20000, d: 2, seed: 7, outlierFraction: 0 });
    const heldOut = plantedOutliers({ n: 20000, d: 2, seed: 7, drawSeed: 70, outlierFraction: 0 });
    const det = new IsolationForestDetector({ seed: 5 });
    await det.fit(train);
    const { score } = await det.score(heldOut);
    for (const alpha of [0.1, 0.05, 0.01]) {
      let hits = 0;
      for (const s of score) if (s >= 1 - alpha) hits++;
      const rate = hits / score.length;
      expect(rate).toBeGreaterThan(alpha * 0.6);
      expect(rate).toBeLessThan(alpha * 1.5);
    }
    const median = Float64Array.from(score).sort()[score.length >> 1];
    expect(median).toBeGreaterThan(0.4);
    expect(median).toBeLessThan(0.6);
  });

  it('is registered with createDetector under its kind', () => {
    const det = createDetector<IsolationForestDetector>('isolation-forest', { nTrees: 10 });
    expect(det).toBeInstanceOf(IsolationForestDetector);
    expect(det.options.nTrees).toBe(10);
  });

  it('sets the threshold from contamination, targetFpr or threshold', async () => {
    expect(new IsolationForestDetector().threshold).toBeCloseTo(0.999, 15);
    expect(new IsolationForestDetector({ targetFpr: 0.01 }).threshold).toBeCloseTo(0.99, 15);
    expect(new IsolationForestDetector({ contamination: 0.05 }).threshold).toBeCloseTo(0.95, 15);
    expect(new IsolationForestDetector({ threshold: 0.9 }).threshold).toBe(0.9);
    const data = plantedOutliers({ n: 5000, d: 3, seed: 9, outlierFraction: 0.02 });
    const det = new IsolationForestDetector({ contamination: 0.02, seed: 2 });
    await det.fit(data);
    const { isAnomaly } = await det.score(data);
    const flagged = isAnomaly.reduce((a, b) => a + b, 0);
    // About 2% of the training rows are flagged, and most of them are the planted ones.
    expect(flagged).toBeGreaterThan(70);
    expect(flagged).toBeLessThan(140);
    let caught = 0;
    for (let i = 0; i < isAnomaly.length; i++) if (isAnomaly[i] && data.labels[i]) caught++;
    expect(caught / flagged).toBeGreaterThan(0.7);
  });

  it('scores rows with a missing value 0, never anomalous, and skips them in training', async () => {
    const data = plantedOutliers({ n: 2000, d: 3, seed: 12 });
    const holes = data.values.map((c) => c.slice());
    holes[1][5] = Number.NaN;
    holes[0][17] = Number.NaN;
    const det = new IsolationForestDetector({ seed: 1 });
    await det.fit({ ...data, values: holes });
    const { score, isAnomaly, raw } = await det.score({ ...data, values: holes });
    expect([score[5], score[17], isAnomaly[5], isAnomaly[17]]).toEqual([0, 0, 0, 0]);
    expect(Number.isNaN(raw![5])).toBe(true);
    expect(score[6]).toBeGreaterThan(0);
  });

  it('is deterministic under a seed and changes with it', async () => {
    const data = plantedOutliers({ n: 1500, d: 2, seed: 3 });
    const run = async (seed: number) => {
      const det = new IsolationForestDetector({ seed, nTrees: 50 });
      await det.fit(data);
      return (await det.score(data)).raw!;
    };
    const a = await run(4);
    expect(await run(4)).toEqual(a);
    expect(await run(5)).not.toEqual(a);
  });

  it('honours maxSamples and maxFeatures the scikit-learn way', async () => {
    const data = plantedOutliers({ n: 1000, d: 4, seed: 2 });
    const depthOf = (d: IsolationForestDetector) =>
      (d.toJSON().state as { forest: { depth: number; sampleSize: number } }).forest;
    const auto = new IsolationForestDetector();
    await auto.fit(data);
    expect(depthOf(auto)).toMatchObject({ sampleSize: 256, depth: 8 });
    const frac = new IsolationForestDetector({ maxSamples: 0.5 });
    await frac.fit(data);
    expect(depthOf(frac)).toMatchObject({ sampleSize: 500, depth: 9 });
    const count = new IsolationForestDetector({ maxSamples: 64, maxFeatures: 2 });
    await count.fit(data);
    expect(depthOf(count)).toMatchObject({ sampleSize: 64, depth: 6 });
    const { raw } = await count.score(data);
    expect(rocAuc(raw!, data.labels)).toBeGreaterThan(0.9);
  });
});

describe('IsolationForestDetector on a univariate series', { timeout: FIT_TIMEOUT_MS }, () => {
  it('fit(series) builds features and flags a spike and a level shift', async () => {
    const rng = createRng(21);
    const n = 3000;
    const timestamps = Float64Array.from({ length: n }, (_, i) => i * 60_000);
    const base = (i: number) => 10 + 2 * Math.sin((2 * Math.PI * i) / 288) + 0.3 * rng.normal();
    const train = { timestamps, values: Float64Array.from({ length: n }, (_, i) => base(i)) };
    const testValues = Float64Array.from({ length: 600 }, (_, i) => base(i));
    testValues[400] += 6;
    const det = new IsolationForestDetector({ seed: 1, windows: [12, 60] });
    await det.fit(train);
    const { score, isAnomaly } = await det.score({
      timestamps: timestamps.subarray(0, 600),
      values: testValues,
    });
    let argmax = 0;
    for (let i = 100; i < 600; i++) if (score[i] > score[argmax]) argmax = i;
    expect(argmax).toBe(400);
    expect(isAnomaly[400]).toBe(1);
    let falseAlarms = 0;
    for (let i = 100; i < 600; i++) if (i !== 400 && i !== 401 && isAnomaly[i]) falseAlarms++;
    expect(falseAlarms).toBeLessThanOrEqual(3);
  });
});

describe('IsolationForestDetector streaming', { timeout: FIT_TIMEOUT_MS }, () => {
  it('update scores a row exactly as score() would until the next refit', async () => {
    const data = plantedOutliers({ n: 3000, d: 3, seed: 31 });
    const train = {
      ...data,
      timestamps: data.timestamps.subarray(0, 2000),
      values: data.values.map((c) => c.subarray(0, 2000)),
    };
    const rest = {
      ...data,
      timestamps: data.timestamps.subarray(2000),
      values: data.values.map((c) => c.subarray(2000)),
    };
    const det = new IsolationForestDetector({ seed: 8, refitEvery: 500 });
    await det.fit(train);
    const batch = await det.score(rest);
    for (let i = 0; i < 499; i++) {
      const p = det.update(rest.timestamps[i], [rest.values[0][i], rest.values[1][i], rest.values[2][i]]);
      expect(p.status).toBe('scored');
      expect(p.score).toBe(batch.score[i]);
    }
  });

  it('refits on recent rows: after a persistent level shift the new level stops looking anomalous', async () => {
    const rng = createRng(4);
    const row = (shift: number) => [shift + rng.normal(), shift + rng.normal()];
    const rows = Array.from({ length: 1000 }, () => row(0));
    const det = new IsolationForestDetector({ seed: 2, reservoirSize: 512, refitEvery: 256 });
    await det.fit(
      frameFromRows(
        Float64Array.from({ length: 1000 }, (_, i) => i),
        rows,
      ),
    );
    let t = 1000;
    const first = det.update(t++, row(8));
    expect(first.isAnomaly).toBe(true);
    for (let i = 0; i < 1500; i++) {
      det.update(t++, row(8));
      // update() only asks; the caller regrows the forest (a Pipeline does it in a worker thread).
      if (det.needsRefit) await det.refit();
    }
    const later = det.update(t++, row(8));
    expect(later.score).toBeLessThan(0.99);
    expect(det.update(t++, [0, 0]).score).toBeGreaterThan(0.99);
  });

  it('drops bad points and counts them without throwing', async () => {
    const data = plantedOutliers({ n: 500, d: 2, seed: 1 });
    const det = new IsolationForestDetector({ seed: 1 });
    expect(codeOf(() => det.update(0, [1, 2]))).toBe('NOT_FITTED');
    await det.fit(data);
    const last = data.timestamps[499];
    expect(det.update(last - 1, [0, 0]).status).toBe('dropped'); // before the last training point
    expect(det.update(last + 1, [0, Number.NaN])).toMatchObject({
      status: 'missing',
      score: 0,
      isAnomaly: false,
    });
    expect(det.update(last + 2, [0, 0, 0]).status).toBe('dropped'); // wrong arity
    expect(det.update(last + 3, 5).status).toBe('dropped'); // a number for a frame model
    expect(det.update(last + 4, [0, Number.POSITIVE_INFINITY]).status).toBe('dropped');
    expect(det.update(Number.NaN, [0, 0]).status).toBe('dropped');
    expect(det.update(last + 5, [0, 0]).status).toBe('scored');
    expect(det.counters).toEqual({ scored: 1, missing: 1, dropped: 5, repeated: 0 });
  });
});

describe('IsolationForestDetector snapshots', { timeout: FIT_TIMEOUT_MS }, () => {
  it('round-trips through JSON: batch scores and the continuing stream are bit-identical (property)', async () => {
    const data = plantedOutliers({ n: 1200, d: 2, seed: 13 });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 1000 }),
        fc.constantFrom(0, 1),
        fc.integer({ min: 0, max: 60 }),
        async (seed, extensionLevel, before) => {
          const det = new IsolationForestDetector({
            seed,
            nTrees: 20,
            extensionLevel,
            refitEvery: 40,
            reservoirSize: 64,
          });
          await det.fit(data);
          const rng = createRng(seed);
          let t = 2e6;
          for (let i = 0; i < before; i++) {
            det.update(t++, [rng.normal(), rng.normal()]);
            if (det.needsRefit) await det.refit();
          }
          const copy = loadDetector<IsolationForestDetector>(JSON.parse(JSON.stringify(det.toJSON())));
          expect((await copy.score(data)).score).toEqual((await det.score(data)).score);
          for (let i = 0; i < 50; i++) {
            const x = [3 * rng.normal(), rng.normal()];
            expect(copy.update(t, x)).toEqual(det.update(t, x));
            expect(copy.needsRefit).toBe(det.needsRefit);
            if (det.needsRefit) await Promise.all([det.refit(), copy.refit()]);
            t++;
          }
        },
      ),
      { numRuns: 12, seed: 42 },
    );
  });

  it('round-trips a series model and an unfitted detector', async () => {
    const values = Float64Array.from({ length: 400 }, (_, i) => Math.sin(i / 5) + (i === 300 ? 4 : 0));
    const timestamps = Float64Array.from({ length: 400 }, (_, i) => i);
    const det = new IsolationForestDetector({ seed: 3, windows: [8] });
    await det.fit({ timestamps, values });
    const copy = loadDetector<IsolationForestDetector>(JSON.parse(JSON.stringify(det)));
    expect((await copy.score({ timestamps, values })).score).toEqual(
      (await det.score({ timestamps, values })).score,
    );
    expect(copy.update(400, 0.5)).toEqual(det.update(400, 0.5));
    const blank = loadDetector<IsolationForestDetector>(
      JSON.parse(JSON.stringify(new IsolationForestDetector({ nTrees: 7 }))),
    );
    expect(blank.fitted).toBe(false);
    expect(blank.options.nTrees).toBe(7);
  });

  it('rejects a newer snapshot version and a malformed state', () => {
    const snap = new IsolationForestDetector().toJSON();
    expect(codeOf(() => loadDetector({ ...snap, version: 99 }))).toBe('SNAPSHOT_VERSION');
    expect(codeOf(() => IsolationForestDetector.fromJSON({ ...snap, state: { mode: 'cube' } }))).toBe(
      'INVALID_SNAPSHOT',
    );
  });
});

describe('IsolationForestDetector bad input', { timeout: FIT_TIMEOUT_MS }, () => {
  const data = plantedOutliers({ n: 300, d: 3, seed: 1 });

  it('ragged rows → RAGGED_ROWS; ragged columns → LENGTH_MISMATCH', async () => {
    expect(codeOf(() => frameFromRows([0, 1, 2], [[1, 2], [3], [4, 5]]))).toBe('RAGGED_ROWS');
    const det = new IsolationForestDetector();
    const ragged = { timestamps: data.timestamps, values: [data.values[0], data.values[1].subarray(1)] };
    expect(await rejectionCode(det.fit(ragged))).toMatch(/^LENGTH_MISMATCH/);
  });

  it('a NaN-only column → ALL_NAN naming the column', async () => {
    const det = new IsolationForestDetector();
    const values = [data.values[0], new Float64Array(300).fill(Number.NaN), data.values[2]];
    expect(await rejectionCode(det.fit({ ...data, values }))).toBe("ALL_NAN values[1] (column 'x1')");
  });

  it('column mismatch at score time → COLUMN_MISMATCH; the fitted model is kept', async () => {
    const det = new IsolationForestDetector({ seed: 1 });
    await det.fit(data);
    const before = (await det.score(data)).score;
    const twoColumns = {
      timestamps: data.timestamps,
      columns: ['x0', 'x1'],
      values: data.values.slice(0, 2),
    };
    expect(await rejectionCode(det.score(twoColumns))).toBe('COLUMN_MISMATCH columns');
    const renamed = { ...data, columns: ['x0', 'x1', 'latency'] };
    expect(await rejectionCode(det.score(renamed))).toBe('COLUMN_MISMATCH columns');
    expect(await rejectionCode(det.score({ timestamps: data.timestamps, values: data.values[0] }))).toBe(
      'COLUMN_MISMATCH data',
    );
    expect(
      await rejectionCode(
        det.fit({ ...data, values: [data.values[0], data.values[1], data.values[2].subarray(3)] }),
      ),
    ).toMatch(/^LENGTH_MISMATCH/);
    expect((await det.score(data)).score).toEqual(before);
  });

  it('not fitted → NOT_FITTED; too few complete rows → TOO_SHORT', async () => {
    const det = new IsolationForestDetector();
    expect(await rejectionCode(det.score(data))).toBe('NOT_FITTED detector');
    const short = {
      timestamps: data.timestamps.subarray(0, 10),
      values: data.values.map((c) => c.subarray(0, 10)),
    };
    expect(await rejectionCode(det.fit(short))).toBe('TOO_SHORT train');
  });

  it('bad options → INVALID_OPTION naming the option', async () => {
    const field = (o: object) => {
      try {
        new IsolationForestDetector(o);
      } catch (e) {
        return e instanceof VigilInputError ? `${e.code} ${e.field}` : String(e);
      }
      return 'accepted';
    };
    expect(field({ nTrees: 0 })).toBe('INVALID_OPTION options.nTrees');
    expect(field({ maxSamples: 1.5 })).toBe('INVALID_OPTION options.maxSamples');
    expect(field({ maxSamples: -3 })).toBe('INVALID_OPTION options.maxSamples');
    expect(field({ maxFeatures: Number.NaN })).toBe('INVALID_OPTION options.maxFeatures');
    expect(field({ contamination: 0.7 })).toBe('INVALID_OPTION options.contamination');
    expect(field({ extensionLevel: -1 })).toBe('INVALID_OPTION options.extensionLevel');
    expect(field({ windows: [12, 1] })).toBe('INVALID_OPTION options.windows[1]');
    expect(field({ threshold: 0.9, contamination: 0.1 })).toBe('INVALID_OPTION options.threshold');
    expect(field({ targetFpr: 0 })).toBe('INVALID_OPTION targetFpr');
    expect(field({ seed: 1.5 })).toBe('INVALID_OPTION options.seed');
    expect(field({ calibrationRows: 4 })).toBe('INVALID_OPTION options.calibrationRows');
    expect(field({ refitEvery: 0 })).toBe('INVALID_OPTION options.refitEvery');
    expect(await rejectionCode(new IsolationForestDetector({ maxFeatures: 5 }).fit(data))).toBe(
      'INVALID_OPTION options.maxFeatures',
    );
    expect(await rejectionCode(new IsolationForestDetector({ extensionLevel: 3 }).fit(data))).toBe(
      'INVALID_OPTION options.extensionLevel',
    );
  });
});
