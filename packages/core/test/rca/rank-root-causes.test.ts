import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VigilInputError } from '../../src/errors.js';
import { rankRootCauses } from '../../src/rca/rank-root-causes.js';
import { Topology } from '../../src/rca/topology.js';
import { event, MIN, shifted } from './fixtures.js';

// frontend → checkout → db: db slows down at minute 200, checkout follows 3 minutes later, frontend 5 minutes later.
const history = new Map([
  ['db/latency', shifted(1, 20, 1, 200, 12)],
  ['checkout/latency', shifted(2, 150, 6, 203, 6)],
  ['frontend/latency', shifted(3, 300, 10, 205, 5)],
  ['search/cpu', shifted(4, 0.4, 0.02, 0, 0)],
]);
const topology = new Topology([
  { caller: 'frontend', callee: 'checkout' },
  { caller: 'checkout', callee: 'db' },
  { caller: 'frontend', callee: 'search' },
]);
// The detectors flagged the callers first (their shifts stood out sooner): event order says nothing about cause.
const incident = {
  events: [
    event('frontend/latency', 205, 244),
    event('checkout/latency', 204, 242),
    event('db/latency', 206, 239, 0.99999),
  ],
};

describe('rankRootCauses', () => {
  it('ranks the callee that changed first as the cause, and says why in words', () => {
    const r = rankRootCauses(incident, { history: (k) => history.get(k), topology });
    expect(r.causes.map((c) => c.seriesKey)).toEqual(['db/latency', 'checkout/latency', 'frontend/latency']);
    expect(r.causes[0]).toMatchObject({ rank: 1, service: 'db', onset: 200 * MIN, direction: 'rose' });
    expect(r.causes[0].baseline).toBeCloseTo(20, 0);
    expect(r.causes[0].level).toBeCloseTo(32, 0);
    expect(r.causes[0].magnitude).toBeGreaterThan(8);
    expect(r.causes.reduce((a, c) => a + c.score, 0)).toBeCloseTo(1, 12);
    expect(r.causes[0].score).toBeGreaterThan(r.causes[1].score);
    expect(r.usedTopology).toBe(true);
    expect(r.summary).toBe(r.causes[0].explanation);
    expect(r.summary).toBe(
      'db/latency rose 3 min before checkout/latency and checkout calls db; it moved to 1.6× its baseline ' +
        'and 2 of 2 other series follow it',
    );
    expect(r.causes[2].explanation).toMatch(
      /^frontend\/latency rose 2 min after checkout\/latency, but frontend calls checkout/,
    );
  });

  it('orders by change-point onsets without a topology', () => {
    const r = rankRootCauses(incident, { history: (k) => history.get(k) });
    expect(r.usedTopology).toBe(false);
    expect(r.causes.map((c) => c.seriesKey)).toEqual(['db/latency', 'checkout/latency', 'frontend/latency']);
    expect(r.causes.map((c) => c.onset / MIN)).toEqual([200, 203, 205]);
    expect(r.summary).not.toMatch(/calls/);
  });

  it('lets the call graph decide when two series change in the same minute', () => {
    const same = new Map([
      ['api/latency', shifted(5, 100, 5, 200, 8)],
      ['cache/latency', shifted(6, 5, 0.5, 200, 8)],
    ]);
    const inc = { events: [event('api/latency', 201, 230), event('cache/latency', 201, 230)] };
    const apiCallsCache = new Topology([{ caller: 'api', callee: 'cache' }]);
    const cacheCallsApi = new Topology([{ caller: 'cache', callee: 'api' }]);
    const a = rankRootCauses(inc, { history: (k) => same.get(k), topology: apiCallsCache });
    const b = rankRootCauses(inc, { history: (k) => same.get(k), topology: cacheCallsApi });
    expect(a.causes[0].seriesKey).toBe('cache/latency');
    expect(a.summary).toMatch(/^cache\/latency rose together with api\/latency and api calls cache/);
    expect(b.causes[0].seriesKey).toBe('api/latency');
  });

  it('uses lead–lag when onsets cannot be estimated apart', () => {
    // Two series that wander together, y repeating x two minutes later: no single step, only a lead.
    const n = 300;
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    const timestamps = Float64Array.from({ length: n }, (_, i) => i * MIN);
    let s = 7;
    for (let i = 0; i < n; i++) {
      s = (s * 1103515245 + 12345) % 2147483648;
      x[i] = (s / 2147483648) * 10;
      y[i] = i >= 2 ? x[i - 2] : 0;
    }
    const h = new Map([
      ['a/queue', { timestamps, values: x }],
      ['b/queue', { timestamps, values: y }],
    ]);
    const inc = { events: [event('b/queue', 250, 260), event('a/queue', 250, 260)] };
    const r = rankRootCauses(inc, { history: (k) => h.get(k), weights: { onset: 0, magnitude: 0 } });
    expect(r.causes[0].seriesKey).toBe('a/queue');
    expect(r.causes[0].score).toBeGreaterThan(0.6);
  });

  it('ranks from event timing alone when there is no history', () => {
    const r = rankRootCauses({
      events: [event('web/errors', 105, 120), event('db/errors', 100, 120), event('db/errors', 130, 131)],
    });
    expect(r.causes.map((c) => c.seriesKey)).toEqual(['db/errors', 'web/errors']);
    expect(r.causes[0].onset).toBe(100 * MIN);
    expect(Number.isNaN(r.causes[0].magnitude)).toBe(true);
    expect(r.summary).toBe('db/errors rose 5 min before web/errors');
  });

  it('explains a single-series incident', () => {
    const r = rankRootCauses({ events: [event('db/latency', 201, 220)] }, { history: (k) => history.get(k) });
    expect(r.causes).toHaveLength(1);
    expect(r.causes[0].score).toBe(1);
    expect(r.summary).toBe('db/latency rose to 1.6× its baseline; it is the only series in the incident');
  });

  it('rejects bad options with a typed error', () => {
    expect(() => rankRootCauses(incident, { maxCandidates: 0 })).toThrow(VigilInputError);
    expect(() => rankRootCauses(incident, { weights: { onset: -1 } })).toThrow(/weights\.onset/);
  });

  it('does not depend on the order of the events (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 3, maxLength: 3 }), (keys) => {
        const events = [...incident.events].sort(
          (a, b) => keys[incident.events.indexOf(a)] - keys[incident.events.indexOf(b)],
        );
        const r = rankRootCauses({ events }, { history: (k) => history.get(k), topology });
        return (
          r.causes[0].seriesKey === 'db/latency' &&
          Math.abs(r.causes.reduce((a, c) => a + c.score, 0) - 1) < 1e-12
        );
      }),
      { numRuns: 30 },
    );
  });
});
