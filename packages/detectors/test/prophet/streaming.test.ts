import { createRng, loadDetector } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import { createDetector } from '../../src/create-detector.js';
import '../../src/index.js';
import { ProphetDetector } from '../../src/prophet/detector.js';

// Seeded 5-minute data: a daily cycle, noise, a spike every 500 points and a late upward drift.
function series() {
  const rng = createRng(5);
  const n = 3000;
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const values = Float64Array.from(
    { length: n },
    (_, i) =>
      50 +
      10 * Math.sin((2 * Math.PI * i) / 288) +
      rng.normal() +
      (i % 500 === 499 ? 9 : 0) +
      (i > 2600 ? 0.02 * (i - 2600) : 0),
  );
  const timestamps = Float64Array.from({ length: n }, (_, i) => t0 + i * 300_000);
  return { timestamps, values };
}

describe('prophet streaming', () => {
  // Recorded from the implementation that allocated three arrays per simulated path: the flat scratch buffers and
  // the insertion sort draw the same random numbers in the same order, so every streamed band is the same number.
  it.each([
    [
      'linear, 100 samples',
      { uncertaintySamples: 100 },
      [
        [0, 0.26379188530158804, 46.7727716869949, 41.58107933625277, 53.51437377804315],
        [100, 0.15682376671094256, 59.56023612908659, 53.67034077348272, 65.54228468768773],
        [500, 0.528954496157899, 41.01488109281276, 35.214752641956075, 46.76488718084086],
        [999, 0.999644159316597, 62.58112371005667, 57.28092185775467, 68.85510137162524],
      ],
    ],
    [
      'logistic, 50 samples',
      { growth: 'logistic', cap: 80, uncertaintySamples: 50 },
      [
        [0, 0.3847393830643099, 46.75021506458183, 41.07098322931031, 51.68221641327896],
        [100, 0.17467131290258897, 59.53079518531163, 54.82908202855701, 65.56173656038891],
        [500, 0.4334201229029673, 40.962651872460015, 34.37763427378446, 46.659691321646235],
        [999, 0.9995178610472153, 61.941974277781256, 54.998571972004676, 69.85323101377175],
      ],
    ],
  ] as const)('streams the recorded scores and bands (%s)', async (_, options, recorded) => {
    const { timestamps, values } = series();
    const d = createDetector('prophet', options as object);
    await d.fit({ timestamps: timestamps.subarray(0, 2000), values: values.subarray(0, 2000) });
    const seen = new Map<number, number[]>();
    for (let i = 2000; i < 3000; i++) {
      const p = d.update?.(timestamps[i], values[i]);
      seen.set(i - 2000, [p?.score ?? -1, p?.expected ?? -1, p?.lower ?? -1, p?.upper ?? -1]);
    }
    for (const [i, ...point] of recorded) expect(seen.get(i)).toEqual(point);
  });

  it('keeps no history when its owner does (keepHistory: false), and scores exactly as one that keeps it', async () => {
    const { timestamps, values } = series();
    const train = { timestamps: timestamps.subarray(0, 2000), values: values.subarray(0, 2000) };
    const owned = new ProphetDetector({ uncertaintySamples: 50 });
    const keeping = new ProphetDetector({ uncertaintySamples: 50 });
    await owned.fit(train, { keepHistory: false });
    await keeping.fit(train);
    for (let i = 2000; i < 2300; i++) {
      expect(owned.update(timestamps[i], values[i])).toEqual(keeping.update(timestamps[i], values[i]));
    }
    const small = owned.toJSON();
    const full = keeping.toJSON();
    expect(small.state?.historyTimestamps).toEqual([]);
    expect(small.state?.keepHistory).toBe(false);
    expect(full.state?.historyTimestamps).toHaveLength(2300);
    expect(JSON.stringify(small).length).toBeLessThan(JSON.stringify(full).length / 4);
    // Restored, it still keeps none and scores on as before; it cannot refit itself without history.
    const restored = loadDetector(JSON.parse(JSON.stringify(small))) as ProphetDetector;
    for (let i = 2300; i < 2400; i++) {
      expect(restored.update(timestamps[i], values[i])).toEqual(keeping.update(timestamps[i], values[i]));
    }
    expect(restored.toJSON().state?.historyValues).toEqual([]);
    await expect(restored.refit()).rejects.toMatchObject({ code: 'TOO_SHORT' });
  });

  it('forecasts the regular steps ahead at a streaming fit: the same scores, a lookup per point on the grid', async () => {
    const { timestamps, values } = series();
    const train = { timestamps: timestamps.subarray(0, 2000), values: values.subarray(0, 2000) };
    const options = { uncertaintySamples: 50, refitEvery: 200 };
    const ahead = new ProphetDetector(options);
    const plain = new ProphetDetector(options);
    await ahead.fit(train, { streaming: true });
    await plain.fit(train);
    const table = ahead.toJSON().state?.ahead;
    expect(table?.yhat).toHaveLength(250);
    expect(table?.step).toBe(300_000);
    expect(plain.toJSON().state?.ahead).toBeUndefined();
    // On the grid, past it (the horizon is 250 steps), and off it (a point between two steps).
    const restored = loadDetector(JSON.parse(JSON.stringify(ahead.toJSON()))) as ProphetDetector;
    const offGrid = timestamps[2300] + 1000;
    for (let i = 2000; i < 2400; i++) {
      const t = i === 2300 ? offGrid : timestamps[i];
      const expected = plain.update(t, values[i]);
      expect(ahead.update(t, values[i])).toEqual(expected);
      expect(restored.update(t, values[i])).toEqual(expected);
    }
  });
});
