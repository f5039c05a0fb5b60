import { describe, expect, it } from 'vitest';
import { bucketQuantile } from '../../src/pipeline/bucket-quantile.js';
import {
  downscale,
  explicitBuckets,
  exponentialBuckets,
  subtractSide,
} from '../../src/pipeline/histogram-buckets.js';
import { OtlpTranslator } from '../../src/pipeline/otlp.js';

const ns = (ms: number) => `${ms}000000`;
const request = (metrics: object[]) => ({ resourceMetrics: [{ scopeMetrics: [{ metrics }] }] });
const byKey = (points: Array<{ key: string; value: number }>) =>
  Object.fromEntries(points.map((p) => [p.key, p.value]));

describe('bucket quantiles', () => {
  it('interpolates linearly inside the bucket holding the rank (checked by hand)', () => {
    // 10 in (0,10], 30 in (10,20], 60 in (20,50]: the median's rank 50 is 10 into (20,50] → 20 + 30·10/60 = 25.
    const b = explicitBuckets([10, 20], [10, 30, 60], undefined, 50);
    expect(bucketQuantile(b.lower, b.upper, b.counts, 0.5)).toBeCloseTo(25, 12);
    expect(bucketQuantile(b.lower, b.upper, b.counts, 0.05)).toBeCloseTo(5, 12);
    expect(bucketQuantile(b.lower, b.upper, b.counts, 0.99)).toBeCloseTo(20 + (30 * 59) / 60, 12);
    expect(bucketQuantile(b.lower, b.upper, [0, 0, 0], 0.5)).toBeNaN();
  });

  it('lays out exponential buckets: base 2^(2^-scale), (base^i, base^(i+1)], negatives mirrored', () => {
    const b = exponentialBuckets(1, 2, { offset: 0, counts: [4] }, { offset: 1, counts: [3] });
    expect([...b.lower].map((x) => +x.toFixed(12))).toEqual([-2, 0, 1]);
    expect([...b.upper].map((x) => +x.toFixed(12))).toEqual(
      [-Math.SQRT2, 0, Math.SQRT2].map((x) => +x.toFixed(12)),
    );
    expect([...b.counts]).toEqual([3, 2, 4]);
    expect(downscale({ offset: 4, counts: [1, 2, 3] }, 1)).toEqual({ offset: 2, counts: [3, 3] });
    expect(downscale({ offset: -3, counts: [1, 1, 1] }, 1)).toEqual({ offset: -2, counts: [1, 2] });
    expect(subtractSide({ offset: 0, counts: [5, 5] }, { offset: 1, counts: [2] })).toEqual({
      offset: 0,
      counts: [5, 3],
    });
    expect(subtractSide({ offset: 0, counts: [1] }, { offset: 0, counts: [2] })).toBeNull();
  });
});

describe('OtlpTranslator distributions', () => {
  it('turns cumulative explicit histograms into per-interval mean, count and p50/p90/p99', () => {
    const tr = new OtlpTranslator();
    const hist = (t: number, counts: number[], sum: number) =>
      request([
        {
          name: 'lat',
          histogram: {
            aggregationTemporality: 2,
            dataPoints: [
              {
                timeUnixNano: ns(t),
                count: String(counts.reduce((a, b) => a + b)),
                sum,
                bucketCounts: counts.map(String),
                explicitBounds: [10, 20],
                max: 50,
              },
            ],
          },
        },
      ]);
    expect(tr.translate(hist(1000, [5, 5, 0], 100))).toEqual([]);
    // The interval adds 10 in (0,10], 30 in (10,20], 60 in (20,50] (max 50 ends the overflow bucket).
    const out = byKey(tr.translate(hist(2000, [15, 35, 60], 100 + 2000)));
    expect(out['unknown_service/lat']).toBeCloseTo(20, 12);
    expect(out['unknown_service/lat.count']).toBe(100);
    // Rank 50 is 10 into (20,50] holding 60; the lifetime buckets would have given 20 + 30·5/60 = 22.5.
    expect(out['unknown_service/lat.p50']).toBeCloseTo(25, 12);
    expect(out['unknown_service/lat.p90']).toBeCloseTo(20 + (30 * 50) / 60, 12);
    expect(out['unknown_service/lat.p99']).toBeCloseTo(20 + (30 * 59) / 60, 12);
  });

  it('differences cumulative exponential histograms across a scale change and reads their quantiles', () => {
    const tr = new OtlpTranslator();
    const exp = (t: number, scale: number, offset: number, counts: number[]) =>
      request([
        {
          name: 'rt',
          exponentialHistogram: {
            aggregationTemporality: 2,
            dataPoints: [
              {
                timeUnixNano: ns(t),
                count: String(counts.reduce((a, b) => a + b)),
                sum: 0,
                scale,
                zeroCount: '0',
                positive: { offset, bucketCounts: counts.map(String) },
              },
            ],
          },
        },
      ]);
    tr.translate(exp(1000, 1, 2, [4, 4])); // buckets (2,2√2] and (2√2,4] at scale 1
    // At scale 0 the old buckets both fall in (2,4] (index 1); the interval adds 2 there and 10 in (4,8].
    const out = byKey(tr.translate(exp(2000, 0, 1, [10, 10])));
    expect(out['unknown_service/rt.count']).toBe(12);
    // p50: rank 6 → 4 into (4,8] holding 10 → 4 + 4·4/10.
    expect(out['unknown_service/rt.p50']).toBeCloseTo(4 + (4 * 4) / 10, 12);
  });

  it('reports a summary’s own quantiles and its per-interval mean and count', () => {
    const tr = new OtlpTranslator();
    const sum = (t: number, count: number, total: number, p99: number) =>
      request([
        {
          name: 'gc',
          summary: {
            dataPoints: [
              {
                timeUnixNano: ns(t),
                count: String(count),
                sum: total,
                quantileValues: [
                  { quantile: 0.5, value: 3 },
                  { quantile: 0.99, value: p99 },
                ],
              },
            ],
          },
        },
      ]);
    expect(byKey(tr.translate(sum(1000, 10, 50, 9)))).toEqual({
      'unknown_service/gc.p50': 3,
      'unknown_service/gc.p99': 9,
    });
    expect(byKey(tr.translate(sum(2000, 30, 250, 12)))).toEqual({
      'unknown_service/gc': 10,
      'unknown_service/gc.count': 20,
      'unknown_service/gc.p50': 3,
      'unknown_service/gc.p99': 12,
    });
  });
});
