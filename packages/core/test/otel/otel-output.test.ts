import {
  AggregationTemporality,
  type DataPoint,
  MeterProvider,
  MetricReader,
} from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { OtelOutput, SERIES_ATTRIBUTE, SEVERITY_ATTRIBUTE } from '../../src/otel/otel-output.js';

class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.DELTA });
  }
  protected async onForceFlush() {}
  protected async onShutdown() {}
}

async function read(reader: TestReader): Promise<Map<string, DataPoint<unknown>[]>> {
  const { resourceMetrics } = await reader.collect();
  const out = new Map<string, DataPoint<unknown>[]>();
  for (const scope of resourceMetrics.scopeMetrics)
    for (const m of scope.metrics) out.set(m.descriptor.name, m.dataPoints as DataPoint<unknown>[]);
  return out;
}

describe('OtelOutput through the real OpenTelemetry metrics SDK', () => {
  it('publishes the latest score per series and counts events by severity', async () => {
    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader] });
    const out = new OtelOutput({
      meter: provider.getMeter('test'),
      attributes: { 'service.name': 'checkout' },
    });
    out.recordScore('web/cpu', 0.3);
    out.recordScore('web/cpu', 0.9995);
    out.recordScore('db/latency', 0.1);
    out.recordScore('db/latency', Number.NaN); // dropped, not thrown
    const event = {
      seriesKey: 'web/cpu',
      start: 0,
      end: 1,
      points: 2,
      peakScore: 0.9995,
      peakTime: 1,
      severity: 'warning',
      observed: 90,
      expected: 40,
    };
    out.recordEvent(event);
    out.recordEvent(event);
    out.recordEvent({ ...event, severity: 'critical' });

    const metrics = await read(reader);
    const gauge = metrics.get('vigil.anomaly.score') ?? [];
    const byKey = Object.fromEntries(gauge.map((p) => [p.attributes[SERIES_ATTRIBUTE], p.value]));
    expect(byKey).toEqual({ 'web/cpu': 0.9995, 'db/latency': 0.1 });
    expect(gauge[0].attributes['service.name']).toBe('checkout');
    const events = metrics.get('vigil.anomaly.events') ?? [];
    const counts = Object.fromEntries(events.map((p) => [p.attributes[SEVERITY_ATTRIBUTE], p.value]));
    expect(counts).toEqual({ warning: 2, critical: 1 });

    // Delta temporality: the next collection shows only what was observed since, so a forgotten series is gone.

    out.forget('db/latency');
    const after = (await read(reader)).get('vigil.anomaly.score') ?? [];
    expect(after.map((p) => p.attributes[SERIES_ATTRIBUTE])).toEqual(['web/cpu']);
    await provider.shutdown();
  });
});
