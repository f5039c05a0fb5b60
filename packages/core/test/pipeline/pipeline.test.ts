import { describe, expect, it } from 'vitest';
import type { AnomalyEvent } from '../../src/alerting/alert-policy.js';
import { createRng } from '../../src/math/random.js';
import type { Incident, IncidentChange } from '../../src/pipeline/incidents.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { MeanDeviationDetector } from './test-detector.js';

const MIN = 60_000;

describe('Pipeline', () => {
  it('warms up, fits in the background, then scores, alerts and groups simultaneous events into one incident', async () => {
    const events: Array<[AnomalyEvent, string]> = [];
    const incidents: Array<[Incident, IncidentChange]> = [];
    const pipeline = new Pipeline({
      createDetector: () => new MeanDeviationDetector(),
      warmup: 100,
      policy: { threshold: 0.9999, maxGap: 2 * MIN },
      incidentWindow: 5 * MIN,
      onEvent: (e, c) => events.push([e, c]),
      onIncident: (i, c) => incidents.push([i, c]),
    });
    const rng = createRng(3);
    const keys = ['shop/cpu', 'shop/latency', 'shop/queue'];
    for (let i = 0; i < 400; i++) {
      for (const key of keys) {
        const first = i >= 250 && i < 253 && key !== 'shop/queue';
        const second = i === 350 && key === 'shop/queue';
        const p = pipeline.push(key, i * MIN, 50 + rng.normal() + (first || second ? 15 : 0));
        if (i < 99) expect(p).toBeUndefined();
      }
      if (i === 99) {
        await pipeline.idle();
        expect(pipeline.stats.fits).toBe(3);
      }
    }
    await pipeline.flush();
    const opened = events.filter(([, c]) => c === 'open').map(([e]) => e.seriesKey);
    expect(opened.sort()).toEqual(['shop/cpu', 'shop/latency', 'shop/queue']);
    const closed = incidents.filter(([, c]) => c === 'closed').map(([i]) => i);
    expect(closed).toHaveLength(2);
    expect([...closed[0].series].sort()).toEqual(['shop/cpu', 'shop/latency']);
    expect(closed[0].start).toBe(250 * MIN);
    expect(closed[1].series).toEqual(['shop/queue']);
    expect(pipeline.stats).toMatchObject({ series: 3, events: 3, fitFailures: 0, dropped: 0, scored: 900 });
    expect(pipeline.openIncidents).toEqual([]);
  });

  it('drops bad points without throwing and counts them', () => {
    const p = new Pipeline({ createDetector: () => new MeanDeviationDetector(), warmup: 10 });
    expect(p.push('', 1, 1)).toBeUndefined();
    expect(p.push('k', Number.NaN, 1)).toBeUndefined();
    expect(p.push('k', 1, Number.POSITIVE_INFINITY)).toBeUndefined();
    expect(p.push('k', 2, 'x' as never)).toBeUndefined();
    p.push('k', 5, 1);
    expect(p.push('k', 4, 1)).toBeUndefined();
    expect(p.stats).toMatchObject({ dropped: 5, points: 1 });
  });

  it('refits in the background on schedule and retries failed fits with more data', async () => {
    let made = 0;
    const p = new Pipeline({
      createDetector: () => {
        made++;
        const d = new MeanDeviationDetector();
        if (made === 1) d.fit = async () => Promise.reject(new Error('boom'));
        return d;
      },
      warmup: 20,
      refitEvery: 30,
      history: 60,
    });
    for (let i = 0; i < 200; i++) {
      p.push('k', i, Math.sin(i));
      await p.idle();
    }
    expect(p.stats.fitFailures).toBe(1);
    expect(p.stats.fits).toBeGreaterThanOrEqual(5);
    expect(p.stats.scored).toBeGreaterThan(100);
  });

  it('rejects bad options at construction', () => {
    expect(() => new Pipeline({} as never)).toThrowError(expect.objectContaining({ code: 'INVALID_OPTION' }));
    expect(() => new Pipeline({ createDetector: () => new MeanDeviationDetector(), warmup: 2 })).toThrowError(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
  });
});

describe('Pipeline root-cause ranking', () => {
  it('ranks each incident with the call graph inferred from client series keys', async () => {
    const closed: Incident[] = [];
    const pipeline = new Pipeline({
      createDetector: () => new MeanDeviationDetector(),
      warmup: 100,
      policy: { threshold: 0.9999, maxGap: 3 * MIN },
      incidentWindow: 10 * MIN,
      onIncident: (i, c) => c === 'closed' && closed.push(i),
    });
    const rng = createRng(8);
    // db slows down at minute 200; checkout's call to db and checkout's own latency follow 2 and 3 minutes later.
    const series: Array<[string, number, number, number]> = [
      ['checkout/latency', 150, 5, 203],
      ['checkout/http.client.duration{peer.service=db}', 40, 2, 202],
      ['db/latency', 20, 1, 200],
    ];
    for (let i = 0; i < 300; i++) {
      for (const [key, base, sd, onset] of series) {
        pipeline.push(key, i * MIN, base + sd * rng.normal() + (i >= onset && i < onset + 30 ? 12 * sd : 0));
      }
      if (i === 100) await pipeline.idle();
    }
    await pipeline.flush();
    expect(pipeline.topology?.edges()).toEqual([{ caller: 'checkout', callee: 'db' }]);
    expect(closed).toHaveLength(1);
    const ranking = closed[0].rootCauses!;
    expect(ranking.usedTopology).toBe(true);
    expect(ranking.causes.map((c) => c.seriesKey)).toEqual([
      'db/latency',
      'checkout/http.client.duration{peer.service=db}',
      'checkout/latency',
    ]);
    expect(ranking.causes.map((c) => c.onset / MIN)).toEqual([200, 202, 203]);
    expect(ranking.summary).toMatch(/^db\/latency rose 3 min before checkout\/latency and checkout calls db/);
  });

  it('leaves incidents unranked when asked, and rejects bad ranking options at construction', async () => {
    const seen: Incident[] = [];
    const p = new Pipeline({
      createDetector: () => new MeanDeviationDetector(),
      warmup: 20,
      rootCause: false,
      onIncident: (i) => seen.push(i),
    });
    for (let i = 0; i < 40; i++) {
      p.push('k', i * MIN, i === 30 ? 100 : Math.sin(i));
      await p.idle();
    }
    await p.flush();
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((i) => i.rootCauses === undefined)).toBe(true);
    expect(
      () => new Pipeline({ createDetector: () => new MeanDeviationDetector(), rootCause: { maxLag: -1 } }),
    ).toThrow(/maxLag/);
  });
});
