import { describe, expect, it } from 'vitest';
import { OtlpTranslator, seriesKey } from '../../src/pipeline/otlp.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { MeanDeviationDetector } from './test-detector.js';

const ns = (ms: number) => `${ms}000000`;
const resource = { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] };

function request(metrics: object[]) {
  return { resourceMetrics: [{ resource, scopeMetrics: [{ metrics }] }] };
}

describe('OtlpTranslator', () => {
  it('reads gauges, sums as rates (with resets) and histograms as interval means', () => {
    const tr = new OtlpTranslator();
    const attrs = [{ key: 'host', value: { stringValue: 'a' } }];
    const first = tr.translate(
      request([
        {
          name: 'cpu',
          gauge: {
            dataPoints: [
              { attributes: attrs, timeUnixNano: ns(2000), asDouble: 0.5 },
              { attributes: attrs, timeUnixNano: ns(1000), asDouble: 0.4 },
            ],
          },
        },
        {
          name: 'requests',
          sum: {
            aggregationTemporality: 2,
            isMonotonic: true,
            dataPoints: [{ timeUnixNano: ns(1000), asInt: '100' }],
          },
        },
        {
          name: 'errors',
          sum: {
            aggregationTemporality: 1,
            dataPoints: [{ startTimeUnixNano: ns(0), timeUnixNano: ns(10_000), asInt: 5 }],
          },
        },
        {
          name: 'latency',
          histogram: {
            aggregationTemporality: 2,
            dataPoints: [{ timeUnixNano: ns(1000), count: '10', sum: 1000 }],
          },
        },
      ]),
    );
    expect(first).toEqual([
      { key: 'checkout/cpu{host=a}', t: 1000, value: 0.4 },
      { key: 'checkout/cpu{host=a}', t: 2000, value: 0.5 },
      { key: 'checkout/errors', t: 10_000, value: 0.5 },
    ]);
    const second = tr.translate(
      request([
        {
          name: 'requests',
          sum: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: ns(11_000), asInt: '300' }] },
        },
        {
          name: 'latency',
          histogram: {
            aggregationTemporality: 2,
            dataPoints: [{ timeUnixNano: ns(11_000), count: '30', sum: 5000 }],
          },
        },
      ]),
    );
    expect(second).toEqual([
      { key: 'checkout/latency', t: 11_000, value: 200 },
      { key: 'checkout/latency.count', t: 11_000, value: 20 },
      { key: 'checkout/requests', t: 11_000, value: 20 },
    ]);
    // the process restarted: the cumulative sum went down, so it counts from zero
    const third = tr.translate(
      request([
        {
          name: 'requests',
          sum: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: ns(21_000), asInt: '50' }] },
        },
      ]),
    );
    expect(third[0].value).toBe(5);
  });

  it('skips malformed points and counts them', () => {
    const tr = new OtlpTranslator();
    const out = tr.translate(
      request([
        {
          name: 'cpu',
          gauge: {
            dataPoints: [
              { timeUnixNano: 'yesterday', asDouble: 1 },
              { timeUnixNano: ns(1), asDouble: 'x' },
            ],
          },
        },
        { gauge: {} },
      ]),
    );
    expect(out).toEqual([]);
    expect(tr.skipped).toBe(3);
    expect(tr.translate({} as never)).toEqual([]);
    expect(seriesKey('svc', 'm', { b: '2', a: '1' })).toBe('svc/m{a=1,b=2}');
  });
});

describe('Pipeline.ingestOtlp', () => {
  it('pushes the points of an OTLP/JSON request and counts the rejected ones', () => {
    const pipeline = new Pipeline({ createDetector: () => new MeanDeviationDetector(), warmup: 10 });
    const points = Array.from({ length: 12 }, (_, i) => ({
      timeUnixNano: ns(1000 * (i + 1)),
      asDouble: i % 3,
    }));
    expect(
      pipeline.ingestOtlp(JSON.stringify(request([{ name: 'queue', gauge: { dataPoints: points } }]))),
    ).toEqual({
      accepted: 12,
      rejected: 0,
    });
    expect(pipeline.stats.points).toBe(12);
    // The same first point again is out of order: rejected, not thrown.
    expect(pipeline.ingestOtlp(request([{ name: 'queue', gauge: { dataPoints: [points[0]] } }]))).toEqual({
      accepted: 0,
      rejected: 1,
    });
    expect(pipeline.ingestOtlp('{nope').error).toMatch(/not JSON/);
  });
});
