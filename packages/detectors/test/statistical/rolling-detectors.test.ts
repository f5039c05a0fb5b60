import { loadDetector, type PointScore, sliceSeries, VigilInputError } from '@vigil/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDetector } from '../../src/create-detector.js';
import '../../src/index.js';
import { MadDetector } from '../../src/statistical/mad.js';
import { ZScoreDetector } from '../../src/statistical/zscore.js';
import { injectSpikes, seasonal } from './fixtures.js';

const kinds = [
  ['zscore', (o = {}) => new ZScoreDetector(o)],
  ['mad', (o = {}) => new MadDetector(o)],
] as const;

// Measured on this seeded data at the default threshold (targetFpr 1e-3): zscore P 0.88 R 1.00, mad P 0.84 R 0.98.
const floors = { zscore: { precision: 0.85, recall: 0.95 }, mad: { precision: 0.8, recall: 0.95 } };

describe.each(kinds)('%s detector', (kind, make) => {
  it('finds injected spikes on a mildly seasonal series (precision and recall over 5 seeds)', async () => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let seed = 1; seed <= 5; seed++) {
      const s = seasonal(3000, seed, 1, 2);
      const spikes = injectSpikes(s, 10, 100 + seed, 1100);
      const d = make({ window: 48 });
      await d.fit(sliceSeries(s, 0, 1000));
      const test = sliceSeries(s, 1000, 3000);
      const { isAnomaly, score } = await d.score(test);
      for (let i = 0; i < test.values.length; i++) {
        const isSpike = spikes.includes(i + 1000);
        if (isAnomaly[i] && isSpike) tp++;
        else if (isAnomaly[i]) fp++;
        else if (isSpike) fn++;
        expect(score[i] >= 0 && score[i] <= 1).toBe(true);
      }
    }
    const precision = tp / (tp + fp);
    const recall = tp / (tp + fn);
    // 50 spikes of 6–10σ in 10,000 scored points; a 1e-3 false-positive rate alone costs ~10 false positives.
    expect(recall).toBeGreaterThanOrEqual(floors[kind].recall);
    expect(precision).toBeGreaterThanOrEqual(floors[kind].precision);
  });

  it('flags the onset of a level shift, then adapts to the new level', async () => {
    const s = seasonal(1600, 9);
    for (let i = 1200; i < 1600; i++) s.values[i] += 12;
    const d = make({ window: 48 });
    await d.fit(sliceSeries(s, 0, 1000));
    const { isAnomaly } = await d.score(sliceSeries(s, 1000, 1600));
    expect(isAnomaly.subarray(200, 203).some((x) => x === 1)).toBe(true);
    // once the window holds the new level, nothing is flagged
    expect(isAnomaly.subarray(300).reduce((a, b) => a + b, 0)).toBe(0);
  });

  it('scores in batch exactly as it scores point by point in a stream', async () => {
    const s = seasonal(800, 3);
    injectSpikes(s, 3, 7, 500);
    const d = make({ window: 30 });
    await d.fit(sliceSeries(s, 0, 500));
    const test = sliceSeries(s, 500, 800);
    const batch = await d.score(test);
    const streamed: PointScore[] = [];
    for (let i = 0; i < test.values.length; i++) streamed.push(d.update(test.timestamps[i], test.values[i]));
    expect(Float64Array.from(streamed, (p) => p.score)).toEqual(batch.score);
    expect(d.counters).toEqual({ scored: 300, missing: 0, dropped: 0, repeated: 0 });
  });

  it('round-trips through JSON and scores bit-identically (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 5, max: 80 }),
        fc.integer({ min: 0, max: 40 }),
        async (seed, window, streamed) => {
          const s = seasonal(400, seed, 1 + (seed % 5));
          const d = make({ window });
          await d.fit(sliceSeries(s, 0, 250));
          for (let i = 250; i < 250 + streamed; i++) d.update(s.timestamps[i], s.values[i]);
          const copy = loadDetector(JSON.parse(JSON.stringify(d.toJSON())));
          expect(copy.kind).toBe(kind);
          const rest = sliceSeries(s, 250 + streamed, 400);
          const [a, b] = await Promise.all([d.score(rest), copy.score(rest)]);
          expect(b.score).toEqual(a.score);
          expect(b.expected).toEqual(a.expected);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('handles missing values and never returns NaN scores', async () => {
    const s = seasonal(600, 4);
    for (let i = 0; i < 600; i += 7) s.values[i] = Number.NaN;
    const d = make();
    await d.fit(sliceSeries(s, 0, 400));
    const { score, isAnomaly } = await d.score(sliceSeries(s, 400, 600));
    expect(score.every((x) => !Number.isNaN(x))).toBe(true);
    expect(score[406 - 400]).toBe(0);
    expect(isAnomaly[406 - 400]).toBe(0);
    expect(d.update(s.timestamps[599] + 1, Number.NaN).status).toBe('missing');
  });

  it('drops out-of-order and non-finite streamed points without throwing', async () => {
    const s = seasonal(300, 5);
    const d = make();
    await d.fit(s);
    const last = s.timestamps[299];
    expect(d.update(last - 1, 50).status).toBe('dropped');
    expect(d.update(last, 50).status).toBe('scored'); // a repeated timestamp is a real observation
    expect(d.update(last + 1, Number.POSITIVE_INFINITY).status).toBe('dropped');
    expect(d.update(last + 2, 50).status).toBe('scored');
    expect(d.counters.dropped).toBe(2);
    expect(d.counters.repeated).toBe(1);
  });

  it('rejects bad input and configuration with typed errors', async () => {
    const d = make();
    await expect(d.score(seasonal(50, 1))).rejects.toMatchObject({ code: 'NOT_FITTED' });
    expect(() => d.update(0, 1)).toThrowError(expect.objectContaining({ code: 'NOT_FITTED' }));
    await expect(d.fit(seasonal(20, 1))).rejects.toMatchObject({ code: 'TOO_SHORT' });
    await expect(d.fit({ timestamps: [2, 1], values: [1, 2] })).rejects.toMatchObject({
      code: 'UNSORTED_TIMESTAMPS',
    });
    await expect(d.fit({ timestamps: [1, 2], values: [Number.NaN, Number.NaN] })).rejects.toMatchObject({
      code: 'ALL_NAN',
    });
    expect(() => make({ window: 1 })).toThrowError(VigilInputError);
    expect(() => make({ window: 10, minPeriods: 11 })).toThrowError(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
    expect(() => make({ targetFpr: 2 })).toThrowError(expect.objectContaining({ code: 'INVALID_OPTION' }));
    expect(() => createDetector(kind, { threshold: 1 })).toThrowError(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
  });

  it('keeps its previous model when a refit fails', async () => {
    const d = make();
    await d.fit(seasonal(300, 2));
    const before = JSON.stringify(d.toJSON());
    await expect(d.fit({ timestamps: [1, 1], values: [1, 2] })).rejects.toBeInstanceOf(VigilInputError);
    expect(JSON.stringify(d.toJSON())).toBe(before);
  });
});

describe.each(kinds)('%s detector with a direction', (_kind, make) => {
  // A memory-like series: noise around a level, with a deep drop every 100 points (a garbage collection) in training.
  // Two-sided, those drops teach the calibrator that departures of ~8σ are ordinary, so a later climb of 7σ passes;
  // judged upwards only, the training statistics are the climbs alone and the same climb is extreme.
  function memoryLike(n: number, seed: number): { timestamps: Float64Array; values: Float64Array } {
    let s = seed;
    const rnd = () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return s / 2147483648;
    };
    const values = Float64Array.from({ length: n }, (_, i) => {
      const noise = Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
      return 100 + noise - (i % 100 === 50 ? 8 : 0);
    });
    return { timestamps: Float64Array.from({ length: n }, (_, i) => i * 1000), values };
  }

  it("'up' flags a climb the two-sided baseline learnt to ignore, and ignores drops; 'down' the reverse", async () => {
    let flaggedUp = 0;
    let flaggedBoth = 0;
    for (let seed = 1; seed <= 5; seed++) {
      const s = memoryLike(1300, seed);
      s.values[1120] += 7; // the window before it holds no drop
      s.values[1200] -= 30;
      const train = sliceSeries(s, 0, 1000);
      const test = sliceSeries(s, 1000, 1300);
      const up = make({ window: 60, direction: 'up' });
      const both = make({ window: 60 });
      const down = make({ window: 60, direction: 'down' });
      await Promise.all([up.fit(train), both.fit(train), down.fit(train)]);
      const [u, b, d] = await Promise.all([up.score(test), both.score(test), down.score(test)]);
      if (u.isAnomaly[120]) flaggedUp++;
      if (b.isAnomaly[120]) flaggedBoth++;
      expect(u.isAnomaly[200], `seed ${seed}: a drop is not anomalous upwards`).toBe(0);
      expect(u.score[200]).toBe(0);
      expect(d.isAnomaly[200], `seed ${seed}: the deep drop, downwards`).toBe(1);
      expect(d.isAnomaly[120]).toBe(0);
      // One-sided bands: no edge on the side not judged.
      expect([u.lower?.[120], d.upper?.[120]]).toEqual([-Infinity, Infinity]);
      expect(Number.isFinite(u.upper?.[120]) && Number.isFinite(d.lower?.[120])).toBe(true);
    }
    expect(flaggedUp).toBe(5);
    expect(flaggedBoth).toBeLessThanOrEqual(1);
  });

  it('keeps the direction through a snapshot, reads older snapshots as two-sided, and rejects a bad one', async () => {
    const s = memoryLike(400, 3);
    const d = make({ window: 30, direction: 'up' });
    await d.fit(s);
    const restored = loadDetector(JSON.parse(JSON.stringify(d.toJSON())));
    expect((restored.options as { direction?: string }).direction).toBe('up');
    // A snapshot written before the option existed has no direction: it is read with the default.
    const old = JSON.parse(JSON.stringify(d.toJSON()));
    delete old.options.direction;
    expect((loadDetector(old).options as { direction?: string }).direction).toBe('both');
    expect(() => make({ direction: 'sideways' as 'up' })).toThrowError(
      expect.objectContaining({ code: 'INVALID_OPTION', field: 'options.direction' }),
    );
  });
});

describe('MAD vs z-score', () => {
  it('the median baseline is not masked by an earlier outlier in its window', async () => {
    const s = seasonal(900, 12, 1, 2);
    s.values[700] += 40;
    s.values[705] += 8;
    const results = await Promise.all(
      kinds.map(async ([, make]) => {
        const d = make({ window: 30 });
        await d.fit(sliceSeries(s, 0, 600));
        return (await d.score(sliceSeries(s, 600, 900))).isAnomaly;
      }),
    );
    const [z, mad] = results;
    expect(mad[105]).toBe(1);
    expect(z[105]).toBe(0); // the 40σ spike inflated the window's standard deviation
  });
});

describe('createDetector', () => {
  it('creates by kind and rejects unknown kinds', () => {
    expect(createDetector('mad').kind).toBe('mad');
    expect(() => createDetector('nope')).toThrowError(expect.objectContaining({ code: 'UNKNOWN_KIND' }));
    expect(() => createDetector('toString')).toThrowError(expect.objectContaining({ code: 'UNKNOWN_KIND' }));
  });
});
