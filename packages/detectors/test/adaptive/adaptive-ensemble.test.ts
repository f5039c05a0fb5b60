import {
  createRng,
  loadDetector,
  type Series,
  seriesFromStep,
  sliceSeries,
  VigilInputError,
} from '@vigil/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AdaptiveEnsemble } from '../../src/adaptive/adaptive-ensemble.js';
import { DAY_MS } from '../../src/adaptive/detect-period.js';
import { EnsembleDetector } from '../../src/ensemble/ensemble.js';
import { createDetector } from '../../src/index.js';
import { injectSpikes, seasonal } from '../statistical/fixtures.js';

const FIVE_MINUTES = 300_000;
const T0 = Date.UTC(2026, 0, 1);

function stream(d: AdaptiveEnsemble, s: Series, from: number, to = s.values.length) {
  const out = [];
  for (let i = from; i < to; i++) out.push(d.update(s.timestamps[i], s.values[i]));
  return out;
}

/** Eight days of 5-minute data with a daily peak, except on day 6 where it is missing. */
function missingPeak(): Series {
  const rng = createRng(9);
  const v = Float64Array.from({ length: 288 * 8 }, (_, i) => {
    const phase = i % 288;
    const peak = phase >= 100 && phase < 160 && !(i >= 288 * 6 && i < 288 * 7) ? 50 : 0;
    return 10 + peak + rng.normal();
  });
  return seriesFromStep(T0, FIVE_MINUTES, v);
}

describe('AdaptiveEnsemble', () => {
  it("is createDetector('ensemble') with no options; given members it is the combining EnsembleDetector", () => {
    expect(createDetector('ensemble')).toBeInstanceOf(AdaptiveEnsemble);
    expect(createDetector('ensemble', { memory: 500 })).toBeInstanceOf(AdaptiveEnsemble);
    expect(createDetector('ensemble', { members: [{ kind: 'mad' }] })).toBeInstanceOf(EnsembleDetector);
  });

  it('finds a rare spike on seeded seasonal data, with false alarms at the rate its threshold states (6 seeds)', async () => {
    let found = 0;
    let falseAlarms = 0;
    let scored = 0;
    for (let seed = 1; seed <= 6; seed++) {
      const s = seasonal(3000, seed, 1, 10);
      const rng = createRng(100 + seed);
      const at = 1500 + rng.int(1400);
      s.values[at] += (rng.next() < 0.5 ? -1 : 1) * (8 + 4 * rng.next());
      const d = new AdaptiveEnsemble();
      await d.fit(sliceSeries(s, 0, 1000));
      expect(d.period).toBe(DAY_MS);
      stream(d, s, 1000).forEach((p, k) => {
        scored++;
        if (p.isAnomaly && k + 1000 === at) found++;
        else if (p.isAnomaly) falseAlarms++;
      });
    }
    console.log(`adaptive ensemble: ${found}/6 spikes, ${falseAlarms} false alarms in ${scored} points`);
    expect(found).toBeGreaterThanOrEqual(5);
    expect(falseAlarms / scored).toBeLessThanOrEqual(1e-3);
  });

  it('keeps its stated false-alarm rate on plain noise right after a short training (a Pipeline warm-up of 140 points)', async () => {
    // 100 seeded series of uniform and of normal noise, 140 training points, then 300 scored: nothing to find, so
    // every alarm is false. The threshold states 1e-3 per point. Before the local-mean view allowed for the few
    // independent values behind its spread, runs of ordinary noise read as shifts: 43 alarms in 30 000 uniform
    // points; now 11 (uniform) and 25 (normal).
    for (const kind of ['uniform', 'normal'] as const) {
      let alarms = 0;
      let points = 0;
      for (let seed = 1; seed <= 100; seed++) {
        const rng = createRng(7000 + seed);
        const v = Float64Array.from({ length: 440 }, () =>
          kind === 'uniform' ? 150e6 + 2e5 * rng.next() : 100 + 5 * rng.normal(),
        );
        const s = seriesFromStep(T0, 250, v);
        const d = new AdaptiveEnsemble();
        await d.fit(sliceSeries(s, 0, 140));
        const scored = stream(d, s, 140);
        alarms += scored.filter((p) => p.isAnomaly).length;
        points += scored.length;
      }
      expect(alarms / points, kind).toBeLessThan(1e-3);
    }
  });

  it('does not re-alarm on a spike no larger than one it has seen within its memory (seen before is not news)', async () => {
    const s = seasonal(3000, 7, 1, 10);
    s.values[1500] += 12;
    s.values[2500] += 9;
    const d = new AdaptiveEnsemble();
    await d.fit(sliceSeries(s, 0, 1000));
    const points = stream(d, s, 1000);
    expect(points[500].isAnomaly).toBe(true);
    expect(points[1500].isAnomaly).toBe(false);
    // With a memory shorter than the gap, the first spike is forgotten and the second is news again.
    const short = new AdaptiveEnsemble({ memory: 600 });
    await short.fit(sliceSeries(s, 0, 1000));
    expect(stream(short, s, 1000)[1500].isAnomaly).toBe(true);
  });

  it('alarms once at a level shift, learns the new level within a bounded time, and alarms again at a second shift', async () => {
    const rng = createRng(5);
    const v = Float64Array.from(
      { length: 6000 },
      (_, i) => 20 + (i >= 3000 ? 15 : 0) + (i >= 5000 ? -40 : 0) + rng.normal(),
    );
    const s = seriesFromStep(T0, FIVE_MINUTES, v);
    const d = new AdaptiveEnsemble();
    await d.fit(sliceSeries(s, 0, 1000));
    const alarms = stream(d, s, 1000)
      .map((p, k) => (p.isAnomaly ? k + 1000 : -1))
      .filter((k) => k >= 0);
    console.log(`level shifts at 3000 and 5000: alarms at ${alarms.join(', ')}`);
    expect(alarms).toContain(3000);
    expect(alarms).toContain(5000);
    // The new normal is learnt within a bounded time: well before the second shift, alarms are back to the noise
    // rate the threshold states (1e-3 per point), as they are before the first shift.
    expect(alarms.filter((a) => a > 3400 && a < 5000).length).toBeLessThanOrEqual(2);
    expect(alarms.filter((a) => a < 3000).length).toBeLessThanOrEqual(4);
  });

  it('finds a missing daily peak (a contextual anomaly inside the normal range) through the seasonal view', async () => {
    const s = missingPeak();
    const d = new AdaptiveEnsemble();
    await d.fit(sliceSeries(s, 0, 288 * 3));
    const points = stream(d, s, 288 * 3);
    const alarms = points.map((p, k) => (p.isAnomaly ? k + 288 * 3 : -1)).filter((k) => k >= 0);
    console.log(`missing peak at ${288 * 6 + 100}: alarms at ${alarms.join(', ')}`);
    expect(alarms.some((a) => a >= 288 * 6 + 100 && a <= 288 * 6 + 105)).toBe(true);
    expect(alarms.filter((a) => a < 288 * 6 + 100)).toEqual([]);
  });

  it('fitted on one day (as a Pipeline fits), grows its seasonal view once two cycles have passed', async () => {
    const s = missingPeak();
    const d = new AdaptiveEnsemble();
    await d.fit(sliceSeries(s, 0, 288));
    expect(d.period).toBeNull();
    const points = stream(d, s, 288);
    expect(d.period).toBe(DAY_MS);
    const alarms = points.map((p, k) => (p.isAnomaly ? k + 288 : -1)).filter((k) => k >= 0);
    console.log(`missing peak at ${288 * 6 + 100}, fitted on one day: alarms at ${alarms.join(', ')}`);
    expect(alarms.some((a) => a >= 288 * 6 + 100 && a <= 288 * 6 + 105)).toBe(true);
  });

  it('flags the first real departure from a flat training series, and stays silent while it stays flat', async () => {
    const s = seriesFromStep(T0, FIVE_MINUTES, new Float64Array(600).fill(3));
    const d = new AdaptiveEnsemble();
    await d.fit(s);
    const flat = d.update(T0 + 600 * FIVE_MINUTES, 3);
    expect(flat.score).toBe(0);
    expect(flat.isAnomaly).toBe(false);
    const jump = d.update(T0 + 601 * FIVE_MINUTES, 1e6);
    expect(jump.isAnomaly).toBe(true);
    expect(jump.score).toBeGreaterThanOrEqual(d.threshold);
  });

  it('scores the same series the same at any magnitude, on integer, sparse, tiny and huge data: finite, not saturated', async () => {
    const rng = createRng(11);
    const counts = Float64Array.from(
      { length: 3000 },
      (_, i) => (rng.next() < 0.05 ? 1 + rng.int(4) : 0) + (i === 2500 ? 40 : 0),
    );
    const reference: number[] = [];
    const referenceAlarms: number[] = [];
    for (const scale of [1, 1e-9, 1e12]) {
      const s = seriesFromStep(
        T0,
        60_000,
        counts.map((x) => x * scale),
      );
      const d = new AdaptiveEnsemble();
      await d.fit(sliceSeries(s, 0, 1000));
      const points = stream(d, s, 1000);
      const scores = points.map((p) => p.score);
      const alarms = points.map((p, k) => (p.isAnomaly ? k : -1)).filter((k) => k >= 0);
      expect(scores.every((x) => Number.isFinite(x) && x >= 0 && x <= 1)).toBe(true);
      expect(scores.filter((x) => x >= d.threshold).length).toBeLessThan(10);
      expect(scores[2500 - 1000]).toBeGreaterThanOrEqual(d.threshold);
      // Alarms depend on the data's shape, not its unit; scores too, up to the float rounding that decides ties
      // among equal local means of integer counts.
      if (scale === 1) {
        reference.push(...scores);
        referenceAlarms.push(...alarms);
      } else {
        expect(alarms).toEqual(referenceAlarms);
        for (let i = 0; i < scores.length; i++) expect(Math.abs(scores[i] - reference[i])).toBeLessThan(0.1);
      }
    }
  });

  it('suppresses repeat alarms while one event persists: a 40-point burst alarms once', async () => {
    const rng = createRng(2);
    const v = Float64Array.from(
      { length: 3000 },
      (_, i) => 5 + rng.normal() + (i >= 2000 && i < 2040 ? 30 * (i % 2) : 0),
    );
    const s = seriesFromStep(T0, FIVE_MINUTES, v);
    const d = new AdaptiveEnsemble();
    await d.fit(sliceSeries(s, 0, 1000));
    const points = stream(d, s, 1000);
    const alarms = points.map((p, k) => (p.isAnomaly ? k + 1000 : -1)).filter((k) => k >= 0);
    expect(alarms.filter((a) => a >= 2000 && a < 2100)).toEqual([2001]);
    // Repeats keep their honest score (an alert policy sees the whole event) but do not alarm.
    const later = points[2003 - 1000];
    expect(later.isAnomaly).toBe(false);
    expect(later.score).toBeGreaterThanOrEqual(d.threshold);
  });

  it('never throws on bad points: NaN is missing, out-of-order and infinite points are dropped and counted', async () => {
    const s = seasonal(1000, 3);
    const d = new AdaptiveEnsemble();
    await d.fit(s);
    const t = s.timestamps[999];
    expect(d.update(t + FIVE_MINUTES, Number.NaN).status).toBe('missing');
    expect(d.update(t, 50).status).toBe('dropped');
    expect(d.update(t + 2 * FIVE_MINUTES, Number.POSITIVE_INFINITY).status).toBe('dropped');
    expect(d.update(t + 3 * FIVE_MINUTES, 50).status).toBe('scored');
    expect(d.counters).toEqual({ scored: 1, missing: 1, dropped: 2, repeated: 0 });
  });

  it('scores repeated timestamps in a batch one by one, as it streams them', async () => {
    const d = new AdaptiveEnsemble();
    await d.fit(seasonal(1000, 5));
    const t = 1e15;
    const scores = await d.score({ timestamps: [t, t, t + 1], values: [50, 51, 52] });
    expect(scores.score.length).toBe(3);
  });

  it('batch scores equal streaming from the same state and leave the detector unchanged', async () => {
    const s = seasonal(2500, 4);
    const d = new AdaptiveEnsemble();
    await d.fit(sliceSeries(s, 0, 1000));
    const before = JSON.stringify(d.toJSON());
    const batch = await d.score(sliceSeries(s, 1000, 2500));
    expect(JSON.stringify(d.toJSON())).toBe(before);
    const streamed = stream(d, s, 1000);
    expect(Array.from(batch.score)).toEqual(streamed.map((p) => p.score));
    expect(Array.from(batch.isAnomaly)).toEqual(streamed.map((p) => (p.isAnomaly ? 1 : 0)));
  });

  it('restores from a JSON snapshot through loadDetector and then scores bit-identically', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1e6 }),
        fc.integer({ min: 0, max: 900 }),
        async (seed, split) => {
          const s = seasonal(2200, seed);
          injectSpikes(s, 4, seed + 1, 1000);
          const a = new AdaptiveEnsemble({ memory: 700 });
          await a.fit(sliceSeries(s, 0, 1000));
          stream(a, s, 1000, 1000 + split);
          const b = loadDetector<AdaptiveEnsemble>(JSON.parse(JSON.stringify(a.toJSON())));
          expect(b).toBeInstanceOf(AdaptiveEnsemble);
          const rest = 1000 + split;
          expect(stream(b, s, rest)).toEqual(stream(a, s, rest));
        },
      ),
      { numRuns: 8 },
    );
  });

  it('still restores version-1 snapshots of the combining ensemble', async () => {
    const d = new EnsembleDetector({ members: [{ kind: 'zscore' }, { kind: 'mad' }] });
    await d.fit(seasonal(800, 1));
    expect(loadDetector(JSON.parse(JSON.stringify(d.toJSON())))).toBeInstanceOf(EnsembleDetector);
  });

  it('finds a sensor stuck on an ordinary value through the stillness view, which the other views cannot see', async () => {
    // 10 seeded noisy series; after 600 training points the value freezes for 80 points at an ordinary value (0.2
    // sigma above the mean — frozen far from the mean, the local mean would see it too), so only the missing movement
    // gives it away. Measured: found 10/10 with the view (within
    // 30 points: the window it averages over), 0/10 without it.
    const found = { on: 0, off: 0 };
    for (let seed = 1; seed <= 10; seed++) {
      const rng = createRng(300 + seed);
      const v = Float64Array.from({ length: 1200 }, () => 100 + 5 * rng.normal());
      for (let i = 800; i < 880; i++) v[i] = 101;
      const s = seriesFromStep(T0, FIVE_MINUTES, v);
      for (const stillness of [true, false]) {
        const d = new AdaptiveEnsemble({ stillness });
        await d.fit(sliceSeries(s, 0, 600));
        const scored = stream(d, s, 600);
        const hit = scored.slice(200, 280).some((p) => p.isAnomaly);
        if (hit) found[stillness ? 'on' : 'off']++;
      }
    }
    expect(found.on).toBeGreaterThanOrEqual(9);
    expect(found.off).toBeLessThanOrEqual(1);
  });

  it('finds a cycle that is not a day or a week, and spikes inside its range (findCycle, jump view)', async () => {
    // Hourly points on a 5-hour cycle of amplitude 10 with noise 1: a 6-sigma spike stays inside the cycle's range,
    // invisible to the value view. The cycle is found in the training data and the residual's jumps expose the spike.
    // Measured: 9/10 found with the defaults (2 false alarms in 4500 points); 0/10 with the seasonal view and the jump
    // view off.
    let found = 0;
    let foundWithout = 0;
    let falseAlarms = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const rng = createRng(500 + seed);
      const v = Float64Array.from(
        { length: 600 },
        (_, i) => 50 + 10 * Math.sin((2 * Math.PI * i) / 5) + rng.normal(),
      );
      const at = 400 + rng.int(150);
      v[at] += (rng.next() < 0.5 ? -1 : 1) * 6;
      const s = seriesFromStep(T0, 3_600_000, v);
      const d = new AdaptiveEnsemble();
      await d.fit(sliceSeries(s, 0, 150));
      expect(d.period).toBe(5 * 3_600_000);
      const scored = stream(d, s, 150);
      if (scored[at - 150].isAnomaly) found++;
      falseAlarms += scored.filter((p, i) => p.isAnomaly && i + 150 !== at).length;
      const plain = new AdaptiveEnsemble({ seasonality: 'none', jumpWindow: 0 });
      await plain.fit(sliceSeries(s, 0, 150));
      if (stream(plain, s, 150)[at - 150].isAnomaly) foundWithout++;
    }
    expect(found).toBeGreaterThanOrEqual(9);
    expect(foundWithout).toBeLessThanOrEqual(2);
    expect(falseAlarms).toBeLessThanOrEqual(3);
  });

  it('ends a spike event with the spike: the return from a 6-point plateau is no jump of its own', async () => {
    // Without holding alarmed points out of the jump view's base, the first points after the plateau measured
    // themselves against a base of plateau values and stayed above the threshold for 3 more points.
    for (let seed = 1; seed <= 5; seed++) {
      const rng = createRng(900 + seed);
      const v = Float64Array.from(
        { length: 1000 },
        (_, i) =>
          100 + 10 * Math.sin((2 * Math.PI * i) / 60) + 2 * rng.next() + (i >= 850 && i < 856 ? 80 : 0),
      );
      const s = seriesFromStep(T0, 60_000, v);
      const d = new AdaptiveEnsemble();
      await d.fit(sliceSeries(s, 0, 600));
      const scored = stream(d, s, 600);
      const above = scored.flatMap((p, i) => (p.score >= d.threshold ? [i + 600] : []));
      expect(above[0]).toBe(850);
      expect(above.filter((i) => i >= 856)).toEqual([]);
    }
  });

  it('restores a snapshot written before the jump and stillness views existed; they learn from there', async () => {
    const s = seasonal(3000, 3, 1, 10);
    const d = new AdaptiveEnsemble();
    await d.fit(sliceSeries(s, 0, 2000));
    const snap = JSON.parse(JSON.stringify(d.toJSON()));
    for (const k of ['jump', 'jumpBase', 'jumpHeld', 'stillness', 'changes', 'lastValue'])
      delete snap.state[k];
    const old = loadDetector(snap) as AdaptiveEnsemble;
    const scored = stream(old, s, 2000);
    expect(scored.every((p) => p.status === 'scored' && Number.isFinite(p.score))).toBe(true);
    expect(scored.filter((p) => p.isAnomaly).length).toBeLessThanOrEqual(3);
  });

  it('rejects bad options and malformed snapshots with typed errors naming the field', async () => {
    const bad = (o: object, field: string) => {
      try {
        new AdaptiveEnsemble(o);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(VigilInputError);
        expect((e as VigilInputError).code).toBe('INVALID_OPTION');
        expect((e as Error).message).toContain(field);
      }
    };
    bad({ memory: 5 }, 'options.memory');
    bad({ seasonality: 'hourly' }, 'options.seasonality');
    bad({ localWindow: 1.5 }, 'options.localWindow');
    bad({ targetFpr: 0 }, 'targetFpr');
    bad({ jumpWindow: -1 }, 'options.jumpWindow');
    bad({ stillness: 'yes' }, 'options.stillness');
    const d = new AdaptiveEnsemble();
    await d.fit(seasonal(1000, 1));
    const snap = JSON.parse(JSON.stringify(d.toJSON()));
    for (const broken of [
      { ...snap, state: { ...snap.state, level: { values: 'AAAA', sinceRefresh: 0 } } },
      { ...snap, state: { ...snap.state, step: -1 } },
      { ...snap, state: { ...snap.state, seasonal: null } },
      { ...snap, state: { ...snap.state, level: { ...snap.state.level, sinceRefresh: 1e9 } } },
      { ...snap, state: null },
      { ...snap, state: { ...snap.state, jump: { values: 'AAAA', sinceRefresh: 0 } } },
      { ...snap, state: { ...snap.state, stillness: { values: 7, sinceRefresh: 0 } } },
    ]) {
      expect(() => loadDetector(broken)).toThrow(expect.objectContaining({ code: 'INVALID_SNAPSHOT' }));
    }
    await expect(new AdaptiveEnsemble().score(seasonal(10, 1))).rejects.toMatchObject({ code: 'NOT_FITTED' });
  });
});
