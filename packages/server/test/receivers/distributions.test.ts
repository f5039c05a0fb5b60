import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricsIngest } from '../../src/otlp/metrics-ingest.js';
import { type OtlpHttpReceiver, startOtlpHttpReceiver } from '../../src/receivers/otlp-http.js';
import { otelClient } from '../helpers/otel-client.js';
import { RecordingSink } from '../helpers/recording-sink.js';

let rx: OtlpHttpReceiver | undefined;
afterEach(async () => {
  await rx?.close();
});

describe('histograms from the real SDK (protobuf)', () => {
  it('become per-interval mean, count and p50/p90/p99 series, explicit and exponential alike', async () => {
    const sink = new RecordingSink();
    rx = await startOtlpHttpReceiver(new MetricsIngest(sink), { port: 0 });
    const client = otelClient(new OTLPMetricExporter({ url: `${rx.url}/v1/metrics` }));
    const explicit = client.meter.createHistogram('latency');
    const exponential = client.meter.createHistogram('latency.exp');
    const record = (values: number[]) => {
      for (const v of values) {
        explicit.record(v);
        exponential.record(v);
      }
    };
    record([1, 2, 3]);
    await client.flush();
    // The second interval: 100 observations 1..100 ms.
    record(Array.from({ length: 100 }, (_, i) => i + 1));
    await client.flush();
    await client.shutdown();
    const first = (key: string) => sink.points.get(`checkout/${key}`)?.[0]?.[1];
    for (const name of ['latency', 'latency.exp']) {
      expect(first(`${name}.count`)).toBe(100);
      expect(first(name)).toBeCloseTo(50.5, 9);
    }
    // Default explicit bounds (…, 50, 75, 100, …) interpolate to the exact ranks for uniform data.
    expect(first('latency.p50')).toBeCloseTo(50, 6);
    expect(first('latency.p90')).toBeCloseTo(90, 6);
    expect(first('latency.p99')).toBeCloseTo(99, 6);
    // Exponential buckets at the SDK's scale are a few percent wide.
    expect(first('latency.exp.p50')).toBeGreaterThan(47);
    expect(first('latency.exp.p50')).toBeLessThan(53);
    expect(first('latency.exp.p99')).toBeGreaterThan(95);
    expect(first('latency.exp.p99')).toBeLessThan(103);
  });
});
