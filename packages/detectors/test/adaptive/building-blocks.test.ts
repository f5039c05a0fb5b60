import { createRng } from '@vigil/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  autocorrelation,
  DAY_MS,
  detectPeriod,
  findCycle,
  typicalStep,
} from '../../src/adaptive/detect-period.js';
import { EventGate } from '../../src/adaptive/event-gate.js';
import { LocalMean } from '../../src/adaptive/local-mean.js';
import { RecentDistribution } from '../../src/adaptive/recent-distribution.js';
import { SeasonalReference } from '../../src/adaptive/seasonal-reference.js';
import { logNormalTail } from '../../src/stats/log-normal-tail.js';
import { normalCdf } from '../../src/stats/normal-distribution.js';

describe('logNormalTail', () => {
  it('matches the normal tail where it is representable (Φ reference values)', () => {
    expect(Math.exp(logNormalTail(0))).toBeCloseTo(0.5, 7);
    expect(Math.exp(logNormalTail(1.959964))).toBeCloseTo(0.025, 7);
    expect(Math.exp(logNormalTail(-1.959964))).toBeCloseTo(0.975, 7);
    expect(Math.exp(logNormalTail(5)) / 2.866515718791939e-7).toBeCloseTo(1, 6);
  });

  it('stays finite far past underflow, matching the asymptotic series φ(z)/z·(1 − 1/z² + 3/z⁴)', () => {
    for (const z of [40, 50, 200, 1e4]) {
      const asymptotic =
        -0.5 * z * z - Math.log(z * Math.sqrt(2 * Math.PI)) + Math.log1p(-1 / z ** 2 + 3 / z ** 4);
      expect(Math.abs(logNormalTail(z) - asymptotic) / Math.abs(asymptotic)).toBeLessThan(1e-7);
    }
    expect(logNormalTail(50) / Math.LN10).toBeCloseTo(-544.96, 1);
  });
});

describe('RecentDistribution', () => {
  const oneToHundred = () => {
    const d = new RecentDistribution(100, 10);
    for (let i = 1; i <= 100; i++) d.push(i);
    return d;
  };

  it('takes the larger of the empirical and the Gaussian two-sided tail (hand values on 1…100)', () => {
    const d = oneToHundred();
    const sd = Math.sqrt((100 * 100 - 1) / 12); // population s.d. of 1…100
    expect(d.surprise(50.5)).toBe(0);
    // v = 100: empirical 2·(1 + 1)/101 = 0.0396 < Gaussian 2·Q(49.5/sd) = 0.0864, so p is the Gaussian one.
    const gauss = 2 * (1 - normalCdf(49.5 / sd));
    expect(d.surprise(100)).toBeCloseTo(-Math.log10(gauss), 6);
    // Past the range the empirical side continues as 2/101 · Q(z_v)/Q(z_edge); p is still the larger of the two.
    const past = (v: number) => {
      const z = Math.abs(v - 50.5) / sd;
      const extension = -Math.log10(2 / 101) - (logNormalTail(z) - logNormalTail(49.5 / sd)) / Math.LN10;
      const gaussian = -(Math.LN2 + logNormalTail(z)) / Math.LN10;
      return Math.min(extension, gaussian);
    };
    expect(d.surprise(200)).toBeCloseTo(past(200), 6);
    expect(d.surprise(-100)).toBeCloseTo(past(-100), 6);
    expect(d.surprise(101)).toBeCloseTo(past(101), 6);
  });

  it('forgives values the history has shown often (spikes seen before are not news)', () => {
    const d = new RecentDistribution(1000, 50);
    for (let i = 0; i < 1000; i++) d.push(i % 20 === 0 ? 100 : 0);
    // 100 is 16σ out by spread, but one value in twenty by count: p = 2·51/1001 ≈ 0.1.
    expect(d.surprise(100)).toBeLessThan(1.1);
    expect(d.surprise(200)).toBeGreaterThan(10);
  });

  it('makes any departure from a constant history extreme, at any magnitude', () => {
    for (const level of [0, 3, 1e-9, 1e12]) {
      const d = new RecentDistribution(100, 10);
      for (let i = 0; i < 100; i++) d.push(level);
      expect(d.surprise(level)).toBe(0);
      expect(d.surprise(level + Math.max(1e-6, level * 1e-6))).toBeGreaterThan(100);
    }
  });

  it('refreshes every refreshEvery values: values of one step are judged against the same reference', () => {
    const d = new RecentDistribution(100, 10);
    for (let i = 0; i < 100; i++) d.push(i % 2);
    const before = d.surprise(5);
    d.push(5);
    expect(d.surprise(5)).toBe(before);
    for (let i = 0; i < 9; i++) d.push(5);
    expect(d.surprise(5)).toBeLessThan(before);
  });

  it('restores bit-identically from toJSON, before and after more values (merge refresh = full sort)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 1, max: 400 }), (seed, extra) => {
        const rng = createRng(seed);
        const a = new RecentDistribution(200, 17);
        for (let i = 0; i < 300 + extra; i++) a.push(Math.round(rng.normal() * 4) + (i > 250 ? 3 : 0));
        const b = new RecentDistribution(200, 17, JSON.parse(JSON.stringify(a.toJSON())));
        for (let i = 0; i < 120; i++) {
          const v = rng.normal() * 6;
          expect(b.surprise(v)).toBe(a.surprise(v));
          a.push(v);
          b.push(v);
        }
        expect(b.toJSON()).toEqual(a.toJSON());
      }),
      { numRuns: 25 },
    );
  });

  it('refuses a state whose sinceRefresh does not fit', () => {
    expect(() => new RecentDistribution(10, 5, { values: [1, 2], sinceRefresh: 7 })).toThrow(RangeError);
  });
});

describe('EventGate', () => {
  it('alarms on the first point of an event and again only after quietPoints points below', () => {
    const gate = new EventGate(3);
    const above = [1, 1, 0, 1, 0, 0, 0, 1, 1, 0, 0, 1];
    expect(above.map((a) => gate.admit(a === 1))).toEqual([
      true,
      false,
      false,
      false,
      false,
      false,
      false,
      true,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('LocalMean', () => {
  it('averages the last k values including the current one', () => {
    const m = new LocalMean(3);
    expect(m.ready).toBe(false);
    m.push(1);
    m.push(2);
    expect(m.ready).toBe(true);
    expect(m.with(6)).toBe(3);
    m.push(6);
    expect(m.with(0)).toBe(8 / 3);
  });
});

describe('SeasonalReference and period detection', () => {
  const fiveMinutes = 300_000;

  it('expects the median of the same phase in previous cycles, looked up by time with a tolerance', () => {
    const ref = new SeasonalReference(DAY_MS, 3, 0.6 * fiveMinutes, 4 * 288);
    const t0 = Date.UTC(2026, 0, 1);
    for (let d = 0; d < 3; d++)
      for (let i = 0; i < 288; i++) ref.push(t0 + d * DAY_MS + i * fiveMinutes, 10 * d + i);
    // Same phase (i = 5) on days 0, 1, 2: values 5, 15, 25 → median 15.
    expect(ref.expected(t0 + 3 * DAY_MS + 5 * fiveMinutes)).toBe(15);
    // 2 minutes off the grid is still within tolerance; 10 hours before the data begins has no cycle at all.
    expect(ref.expected(t0 + 3 * DAY_MS + 5 * fiveMinutes + 120_000)).toBe(15);
    expect(ref.expected(t0 - 10 * 3_600_000)).toBeNaN();
  });

  it('finds a daily cycle by autocorrelation and nothing in noise or in data shorter than two periods', () => {
    const rng = createRng(3);
    const n = 3 * 288;
    const t = Float64Array.from({ length: n }, (_, i) => i * fiveMinutes);
    const daily = Float64Array.from(
      { length: n },
      (_, i) => Math.sin((2 * Math.PI * i) / 288) + 0.3 * rng.normal(),
    );
    const noise = Float64Array.from({ length: n }, () => rng.normal());
    expect(typicalStep(t)).toBe(fiveMinutes);
    expect(detectPeriod(t, daily)).toBe(DAY_MS);
    expect(detectPeriod(t, noise)).toBeNull();
    expect(detectPeriod(t.subarray(0, 400), daily.subarray(0, 400))).toBeNull();
    expect(autocorrelation([1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2], 2)).toBeCloseTo(10 / 12, 12);
  });
});

describe('findCycle', () => {
  it('finds a cycle of any length that clearly repeats, and none in noise, a trend or a random walk', () => {
    const rng = createRng(41);
    const cycle = (p: number, n: number) =>
      Float64Array.from({ length: n }, (_, i) => 10 * Math.sin((2 * Math.PI * i) / p) + rng.normal());
    expect(findCycle(cycle(5, 200))).toBe(5);
    expect(findCycle(cycle(12, 300))).toBe(12);
    expect(findCycle(cycle(37, 500))).toBe(37);
    // A GC sawtooth: grows for 20 steps, drops back.
    expect(findCycle(Float64Array.from({ length: 400 }, (_, i) => 3 * (i % 20) + rng.normal()))).toBe(20);
    expect(findCycle(Float64Array.from({ length: 1000 }, () => rng.normal()))).toBeNull();
    expect(findCycle(Float64Array.from({ length: 1000 }, (_, i) => i + rng.normal()))).toBeNull();
    let walk = 0;
    expect(findCycle(Float64Array.from({ length: 2000 }, () => (walk += rng.normal())))).toBeNull();
    // Needs the cycle twice.
    expect(findCycle(cycle(60, 100))).toBeNull();
    expect(findCycle([1, 2, 3])).toBeNull();
  });
});
