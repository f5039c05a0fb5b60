import { createRng, loadDetector, sliceSeries } from '@vigil/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { combine, evidence, fitLogistic } from '../../src/ensemble/combine.js';
import { EnsembleDetector } from '../../src/ensemble/ensemble.js';
import '../../src/index.js';
import { injectSpikes, seasonal } from '../statistical/fixtures.js';

describe('combination rules', () => {
  it('evidence is −log10(1 − score), capped', () => {
    expect(evidence(0.999)).toBeCloseTo(3, 10);
    expect(evidence(0.5)).toBeCloseTo(Math.log10(2), 12);
    expect(evidence(1)).toBe(12);
    expect(evidence(0)).toBe(0);
  });

  it('mean, max, vote and stacking combine as documented (hand values)', () => {
    const e = [3, 1];
    const votes = [1, 0];
    expect(combine('mean', e, votes, [1, 1], 0)).toBe(2);
    expect(combine('mean', e, votes, [3, 1], 0)).toBe(2.5);
    expect(combine('max', e, votes, [1, 1], 0)).toBe(3);
    expect(combine('vote', e, votes, [2, 1], 0)).toBeCloseTo(2 + 2 / 100, 12);
    expect(combine('stacking', e, votes, [0.5, -1], 0.25)).toBeCloseTo(0.25 + 1.5 - 1, 12);
  });

  it('logistic regression learns that only the informative feature matters', () => {
    const rng = createRng(1);
    const x: Float64Array[] = [];
    const y: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const label = rng.next() < 0.05 ? 1 : 0;
      x.push(Float64Array.of(label ? 4 + rng.normal() : Math.abs(rng.normal()), Math.abs(rng.normal()) * 2));
      y.push(label);
    }
    const { weights } = fitLogistic(x, y);
    expect(weights[0]).toBeGreaterThan(1);
    expect(Math.abs(weights[1])).toBeLessThan(weights[0] / 5);
  });
});

// The default members include Prophet and an isolation forest: fits take seconds on a loaded machine.
describe('EnsembleDetector', { timeout: 120_000 }, () => {
  it('finds spikes its members find, with a calibrated threshold (precision and recall over 3 seeds)', async () => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let seed = 1; seed <= 3; seed++) {
      const s = seasonal(3000, seed, 1, 2);
      const spikes = injectSpikes(s, 10, 50 + seed, 1100);
      const d = new EnsembleDetector();
      await d.fit(sliceSeries(s, 0, 1000));
      const { isAnomaly } = await d.score(sliceSeries(s, 1000, 3000));
      for (let i = 0; i < 2000; i++) {
        const hit = spikes.includes(i + 1000);
        if (isAnomaly[i] && hit) tp++;
        else if (isAnomaly[i]) fp++;
        else if (hit) fn++;
      }
    }
    // Measured on this seeded data: 30 spikes, 6000 scored points.
    expect(tp / (tp + fn)).toBeGreaterThanOrEqual(0.9);
    expect(tp / (tp + fp)).toBeGreaterThanOrEqual(0.75);
  });

  it('streams exactly like it scores in batch when its members do (rolling baselines)', async () => {
    const s = seasonal(1200, 4, 1, 2);
    injectSpikes(s, 4, 9, 900);
    const d = new EnsembleDetector({ combine: 'max', members: [{ kind: 'zscore' }, { kind: 'mad' }] });
    await d.fit(sliceSeries(s, 0, 800));
    const test = sliceSeries(s, 800, 1200);
    const batch = await d.score(test);
    const stream = Float64Array.from(test.values, (v, i) => d.update(test.timestamps[i], v).score);
    expect(stream).toEqual(batch.score);
  });

  it('round-trips through JSON with its members and scores bit-identically (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1000 }),
        fc.constantFrom('mean', 'max', 'vote'),
        async (seed, rule) => {
          const s = seasonal(700, seed, 1, 3);
          const d = new EnsembleDetector({ combine: rule as 'mean' });
          await d.fit(sliceSeries(s, 0, 500));
          const copy = loadDetector(JSON.parse(JSON.stringify(d.toJSON())));
          const rest = sliceSeries(s, 500, 700);
          expect((await copy.score(rest)).score).toEqual((await d.score(rest)).score);
        },
      ),
      { numRuns: 10 },
    );
  });

  it('stacking learns to trust the member that separates the labels', async () => {
    const s = seasonal(2400, 7, 1, 2);
    const spikes = injectSpikes(s, 12, 3, 1000);
    const labels = new Uint8Array(1400);
    for (const i of spikes) labels[i - 1000] = 1;
    // The second member is a z-score over a window too short to be reliable.
    const d = new EnsembleDetector({
      members: [
        { kind: 'mad', options: { window: 48 } },
        { kind: 'zscore', options: { window: 4, minPeriods: 4 } },
      ],
    });
    await d.fit(sliceSeries(s, 0, 1000));
    await d.learnWeights(sliceSeries(s, 1000, 2400), labels);
    expect(d.options.combine).toBe('stacking');
    expect(d.weights.weights[0]).toBeGreaterThan(d.weights.weights[1]);
    const copy = loadDetector(d.toJSON());
    const tail = sliceSeries(s, 2000, 2400);
    expect((await copy.score(tail)).score).toEqual((await d.score(tail)).score);
  });

  it('rejects bad configuration and input with typed errors', async () => {
    expect(() => new EnsembleDetector({ members: [] })).toThrowError(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
    expect(() => new EnsembleDetector({ combine: 'median' as 'mean' })).toThrowError(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
    expect(() => new EnsembleDetector({ members: [{ kind: 'nope' }] })).toThrowError(
      expect.objectContaining({ code: 'UNKNOWN_KIND' }),
    );
    const d = new EnsembleDetector();
    await expect(d.score(seasonal(100, 1))).rejects.toMatchObject({ code: 'NOT_FITTED' });
    await expect(d.fit(seasonal(100, 1))).rejects.toMatchObject({ code: 'TOO_SHORT' });
    await d.fit(seasonal(600, 1));
    await expect(d.learnWeights(seasonal(100, 2), new Uint8Array(99))).rejects.toMatchObject({
      code: 'LENGTH_MISMATCH',
    });
    await expect(d.learnWeights(seasonal(100, 2), new Uint8Array(100))).rejects.toMatchObject({
      code: 'INVALID_OPTION',
    });
    expect(d.update(0, 1).status).toBe('dropped');
  });
});
