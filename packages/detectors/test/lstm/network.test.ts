import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LstmDetector } from '../../src/lstm/detector.js';
import { seasonal, TINY } from './fixtures.js';

// Seeded initialisation and shuffling (network.ts) make training reproducible on one backend.
describe('LstmDetector determinism', { timeout: 120_000 }, () => {
  it('the same seed trains the same weights and scores; another seed does not (property over seeds)', async () => {
    const train = seasonal(200, 5);
    const fit = async (seed: number) => {
      const d = new LstmDetector({ ...TINY, seed, backend: 'cpu' });
      await d.fit(train);
      return { state: d.toJSON().state!, score: (await d.score(train)).score };
    };
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), async (seed) => {
        const [a, b, c] = [await fit(seed), await fit(seed), await fit(seed + 1)];
        expect(b.state.weights).toEqual(a.state.weights);
        expect(b.state.training.trainLoss).toEqual(a.state.training.trainLoss);
        expect(b.score).toEqual(a.score);
        expect(c.state.weights).not.toEqual(a.state.weights);
      }),
      { numRuns: 2, seed: 7 },
    );
  });
});
