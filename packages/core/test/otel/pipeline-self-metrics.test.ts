import { type DataPoint, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { OtelOutput } from '../../src/otel/otel-output.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { MeanDeviationDetector } from '../pipeline/test-detector.js';

class TestReader extends MetricReader {
  protected async onForceFlush() {}
  protected async onShutdown() {}
}

describe("the Pipeline's self-metrics through the real OpenTelemetry metrics SDK", () => {
  it('publishes series, points by outcome, evictions and fits, read from the pipeline at collection', async () => {
    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader] });
    const otel = new OtelOutput({ meter: provider.getMeter('test') });
    const now = Date.UTC(2026, 0, 1);
    const p = new Pipeline({
      createDetector: () => new MeanDeviationDetector(),
      warmup: 10,
      maxSeries: 2,
      maxSeriesPerMetric: 2,
      maxFuture: 60_000,
      now: () => now,
      otel,
    });
    for (let i = 0; i < 10; i++) p.push('a/x', now - (10 - i) * 1000, i % 3);
    await p.idle();
    p.push('a/x', now, 1); // scored
    p.push('a/x', now + 3_600_000, 1); // an hour ahead: refused
    p.push('b/y', now, 1);
    p.push('c/z', now, 1); // the table is full: a/x, the least recently updated, is evicted
    const { resourceMetrics } = await reader.collect();
    const points = new Map<string, DataPoint<number>[]>();
    for (const scope of resourceMetrics.scopeMetrics)
      for (const m of scope.metrics) points.set(m.descriptor.name, m.dataPoints as DataPoint<number>[]);
    const value = (name: string, key: string, v: string) =>
      points.get(name)?.find((d) => d.attributes[key] === v)?.value;
    expect(value('vigil.pipeline.series', 'state', 'tracked')).toBe(2);
    expect(value('vigil.pipeline.points', 'outcome', 'accepted')).toBe(13);
    expect(value('vigil.pipeline.points', 'outcome', 'scored')).toBe(1);
    expect(value('vigil.pipeline.points', 'outcome', 'future')).toBe(1);
    expect(value('vigil.pipeline.evictions', 'reason', 'capacity')).toBe(1);
    expect(value('vigil.pipeline.fits', 'result', 'ok')).toBe(1);
    expect(value('vigil.pipeline.fit_queue', 'state', 'queued')).toBe(0);
    await p.close();
    await provider.shutdown();
  });
});
