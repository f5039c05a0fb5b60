import { describe, expect, it } from 'vitest';
import type { Detector, PointScore } from '../../src/detector/detector.js';
import { registerDetector } from '../../src/detector/registry.js';
import type { VigilError } from '../../src/errors.js';
import { createRng } from '../../src/math/random.js';
import type { Incident, IncidentChange } from '../../src/pipeline/incidents.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import type { SeriesLike } from '../../src/series/series.js';
import { MeanDeviationDetector } from './test-detector.js';

const MIN = 60_000;
const NOW = Date.UTC(2026, 0, 1);

/** A wall clock the test moves by hand. */
function testClock(start = NOW) {
  const clock = { t: start, now: () => clock.t };
  return clock;
}

describe('Pipeline limits', () => {
  it('refuses points dated too far ahead with a typed error, counts them, and keeps what it had', () => {
    const clock = testClock();
    const rejected: VigilError[] = [];
    const p = new Pipeline({
      createDetector: () => new MeanDeviationDetector(),
      warmup: 10,
      maxFuture: 5 * MIN,
      now: clock.now,
      onReject: (e) => rejected.push(e),
    });
    for (let i = 0; i < 5; i++) p.push('web/cpu', NOW - (5 - i) * MIN, i);
    // Ten years ahead, and just past the limit: refused; exactly at the limit: accepted.
    expect(p.push('web/cpu', NOW + 10 * 365 * 24 * 60 * MIN, 99)).toBeUndefined();
    expect(p.push('web/cpu', NOW + 5 * MIN + 1, 99)).toBeUndefined();
    expect(p.stats).toMatchObject({ future: 2, dropped: 2, points: 5 });
    expect(rejected.map((e) => [e.code, e.field])).toEqual([
      ['FUTURE_TIMESTAMP', 't'],
      ['FUTURE_TIMESTAMP', 't'],
    ]);
    expect(rejected[0].message).toMatch(/more than 300000 ms after the wall clock/);
    // The series' own clock did not move: the next on-time point is accepted and nothing earlier was lost.
    p.push('web/cpu', NOW, 5);
    p.push('web/cpu', NOW + 5 * MIN, 6);
    expect(p.history('web/cpu')?.values).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(p.stats).toMatchObject({ future: 2, points: 7 });
  });

  it('caps series per metric, counting refused points, while other metrics go on', () => {
    const rejected: string[] = [];
    const p = new Pipeline({
      createDetector: () => new MeanDeviationDetector(),
      maxSeriesPerMetric: 2,
      onReject: (e, key) => rejected.push(`${e.code} ${key}`),
    });
    p.push('api/requests{route=/a}', 1, 1);
    p.push('api/requests{route=/b}', 1, 1);
    p.push('api/requests{route=/c}', 1, 1);
    p.push('api/requests{route=/c}', 2, 1);
    p.push('api/latency{route=/c}', 1, 1);
    p.push('api/requests{route=/a}', 2, 1);
    expect(p.seriesKeys().sort()).toEqual([
      'api/latency{route=/c}',
      'api/requests{route=/a}',
      'api/requests{route=/b}',
    ]);
    expect(rejected).toEqual(['SERIES_LIMIT api/requests{route=/c}', 'SERIES_LIMIT api/requests{route=/c}']);
    expect(p.stats).toMatchObject({ overLimit: 2, dropped: 2, points: 4, series: 3 });
    // A series removed frees its place.
    expect(p.removeSeries('api/requests{route=/b}')).toBe(true);
    p.push('api/requests{route=/c}', 3, 1);
    expect(p.stats.series).toBe(3);
  });

  it('evicts the least recently updated series when full, and idle series after idleTimeout, counting both', () => {
    const clock = testClock();
    const p = new Pipeline({
      createDetector: () => new MeanDeviationDetector(),
      maxSeries: 200,
      maxSeriesPerMetric: 200,
      idleTimeout: 10 * MIN,
      now: clock.now,
    });
    for (let k = 0; k < 200; k++) p.push(`m/s${k}`, NOW, k);
    // Touch every series but s0..s2 again: those three are the least recently used.
    for (let k = 3; k < 200; k++) p.push(`m/s${k}`, NOW + 1, k);
    p.push('m/new1', NOW, 0);
    p.push('m/new2', NOW, 0);
    // Full at 200: the first admission evicts the least recently updated 1% (2 series), the second finds room.
    expect(p.stats).toMatchObject({ evictedLru: 2, series: 200 });
    const keys = new Set(p.seriesKeys());
    for (const gone of ['m/s0', 'm/s1']) expect(keys.has(gone)).toBe(false);
    expect(keys.has('m/s2') && keys.has('m/s4')).toBe(true);
    expect(keys.has('m/new1') && keys.has('m/new2')).toBe(true);

    clock.t += 6 * MIN;
    p.push('m/s4', NOW + 2, 1);
    clock.t += 5 * MIN;
    p.sweep();
    // Only m/s4 had a point within the last 10 minutes of wall time.
    expect(p.seriesKeys()).toEqual(['m/s4']);
    expect(p.stats).toMatchObject({ evictedIdle: 199, series: 1 });
    // An evicted series that comes back starts again from nothing.
    p.push('m/s5', NOW + 3, 1);
    expect(p.history('m/s5')?.values).toEqual([1]);
  });

  it('closes incidents on wall time when every series has gone quiet, not on the latest point', async () => {
    const clock = testClock();
    const changes: Array<[IncidentChange, Incident]> = [];
    const p = new Pipeline({
      createDetector: () => new MeanDeviationDetector(),
      warmup: 30,
      policy: { threshold: 0.999, maxGap: 2 * MIN },
      incidentWindow: 10 * MIN,
      now: clock.now,
      onIncident: (i, c) => changes.push([c, i]),
    });
    const rng = createRng(5);
    let t = NOW;
    const step = (v: number) => {
      clock.t = t;
      p.push('db/latency', t, v);
      t += MIN;
    };
    for (let i = 0; i < 40; i++) step(rng.normal());
    await p.idle();
    for (let i = 0; i < 3; i++) step(20);
    for (let i = 0; i < 5; i++) step(rng.normal());
    expect(changes.map(([c]) => c)).toContain('opened');
    expect(changes.map(([c]) => c)).not.toContain('closed');
    // The series stops; 11 minutes of wall time pass with no point anywhere.
    clock.t = t + 11 * MIN;
    p.sweep();
    const closed = changes.filter(([c]) => c === 'closed');
    expect(closed).toHaveLength(1);
    expect(closed[0][1].series).toEqual(['db/latency']);
    expect(p.openIncidents).toEqual([]);
  });
});

/** A detector that misbehaves in update() once fitted: throws, or scores NaN or 1.5. */
function faulty(kind: 'throw' | 'nan' | 'big'): Detector<SeriesLike> {
  const d = new MeanDeviationDetector();
  const update = d.update.bind(d);
  d.update = (t: number, x: number | ArrayLike<number>): PointScore => {
    if (kind === 'throw') throw new Error('model exploded');
    return { ...update(t, x), score: kind === 'nan' ? Number.NaN : 1.5 };
  };
  return d;
}

describe('Pipeline isolation', () => {
  it('quarantines a detector that throws or scores outside [0, 1], counts it, and other series go on scoring', async () => {
    const quarantined: string[] = [];
    const p = new Pipeline({
      createDetector: (key) =>
        key.startsWith('bad/') ? faulty(key.slice(4) as 'throw') : new MeanDeviationDetector(),
      warmup: 20,
      onQuarantine: (key, e) => quarantined.push(`${key} ${e.code}`),
    });
    const keys = ['bad/throw', 'bad/nan', 'bad/big', 'good/a', 'good/b'];
    const rng = createRng(2);
    for (let i = 0; i < 20; i++) for (const k of keys) p.push(k, i * MIN, rng.normal());
    await p.idle();
    let goodScores = 0;
    for (let i = 20; i < 30; i++) {
      for (const k of keys) {
        const r = p.push(k, i * MIN, rng.normal());
        if (k.startsWith('good/')) {
          expect(r?.status).toBe('scored');
          goodScores++;
        } else {
          expect(r).toBeUndefined();
        }
      }
    }
    expect(goodScores).toBe(20);
    expect(quarantined.sort()).toEqual([
      'bad/big DETECTOR_FAULT',
      'bad/nan DETECTOR_FAULT',
      'bad/throw DETECTOR_FAULT',
    ]);
    expect(p.stats).toMatchObject({ quarantined: 3, quarantinedSeries: 3, scored: 20, fits: 5 });
    // After `warmup` more points a quarantined series is refitted (and, still faulty here, quarantined again).
    for (let i = 30; i < 45; i++) for (const k of keys) p.push(k, i * MIN, rng.normal());
    await p.idle();
    for (const k of keys) p.push(k, 45 * MIN, 0);
    // The throwing one fails already while learning the points that arrived during its refit: not counted as a fit.
    expect(p.stats).toMatchObject({ quarantined: 6, quarantinedSeries: 3, fits: 7 });
  });

  it('abandons a fit that never ends after fitTimeout: idle() resolves, the failure is counted', async () => {
    const p = new Pipeline({
      createDetector: (key) => {
        const d = new MeanDeviationDetector();
        if (key === 'stuck') d.fit = () => new Promise<void>(() => {});
        return d;
      },
      warmup: 10,
      fitTimeout: 50,
    });
    for (let i = 0; i < 10; i++) {
      p.push('stuck', i, i % 3);
      p.push('fine', i, i % 3);
    }
    await p.idle();
    expect(p.stats).toMatchObject({ fits: 1, fitFailures: 1, fitTimeouts: 1 });
    expect(p.push('fine', 10, 1)?.status).toBe('scored');
    expect(p.push('stuck', 10, 1)).toBeUndefined();
  });
});

describe('Pipeline per-series state', () => {
  it('hands one series over through snapshotSeries and restore', async () => {
    const a = new Pipeline({ createDetector: () => new MeanDeviationDetector(), warmup: 10 });
    for (let i = 0; i < 15; i++) {
      a.push('x', i * MIN, Math.sin(i));
      a.push('y', i * MIN, Math.cos(i));
    }
    await a.idle();
    const s = a.snapshotSeries('x');
    expect(s?.timestamps).toHaveLength(15);
    expect(a.snapshotSeries('nope')).toBeUndefined();
    const b = new Pipeline({ createDetector: () => new MeanDeviationDetector(), warmup: 10 });
    registerDetector('test-mean-deviation', (snap) => MeanDeviationDetector.fromJSON(snap));
    expect(b.restore({ version: 1, takenAt: 0, series: [s!] })).toBe(1);
    expect(b.seriesKeys()).toEqual(['x']);
    expect(b.push('x', 15 * MIN, Math.sin(15))).toEqual(a.push('x', 15 * MIN, Math.sin(15)));
    expect(b.push('x', 14 * MIN, 0)).toBeUndefined(); // the series' clock came along
  });
});
