import * as grpc from '@grpc/grpc-js';
import { OTLPMetricExporter as GrpcExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as ProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { Pipeline } from '@vigil/core';
import { createDetector } from '@vigil/detectors';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricsIngest } from '../../src/otlp/metrics-ingest.js';
import { type OtlpGrpcReceiver, startOtlpGrpcReceiver } from '../../src/receivers/otlp-grpc.js';
import { type OtlpHttpReceiver, startOtlpHttpReceiver } from '../../src/receivers/otlp-http.js';
import { until } from '../helpers/http-sink.js';
import { otelClient } from '../helpers/otel-client.js';
import { RecordingSink } from '../helpers/recording-sink.js';

/** A sink that asks for back-pressure while `overloaded` is set, as a Pipeline does when its fit queue is full. */
class BusySink extends RecordingSink {
  overloaded = true;
}

let http: OtlpHttpReceiver | undefined;
let grpcRx: OtlpGrpcReceiver | undefined;
afterEach(async () => {
  await Promise.all([http?.close(), grpcRx?.close()]);
  http = undefined;
  grpcRx = undefined;
});

describe('back-pressure from the receivers, through the real OpenTelemetry exporters', () => {
  it('OTLP/HTTP answers 429 with Retry-After while the pipeline is overloaded; the exporter retries and gets in', async () => {
    const sink = new BusySink();
    http = await startOtlpHttpReceiver(new MetricsIngest(sink), { port: 0, retryAfterSeconds: 1 });
    const client = otelClient(new ProtoExporter({ url: `${http.url}/v1/metrics` }));
    client.meter.createObservableGauge('queue.depth').addCallback((r) => r.observe(7));
    const flushed = client.flush();
    await until(() => (http!.stats.byStatus[429] ?? 0) >= 1, 10_000, 'a 429');
    expect(sink.points.size).toBe(0);
    sink.overloaded = false;
    await flushed;
    // The exporter honoured Retry-After and sent the same data again, now accepted.
    expect(sink.points.get('checkout/queue.depth')?.map(([, v]) => v)).toEqual([7]);
    expect(http.stats.byStatus[200]).toBe(1);
    await client.shutdown();
  });

  it('OTLP/gRPC answers UNAVAILABLE while the pipeline is overloaded, and accepts once it has caught up', async () => {
    const sink = new BusySink();
    grpcRx = await startOtlpGrpcReceiver(new MetricsIngest(sink), { port: 0 });
    const client = otelClient(new GrpcExporter({ url: `http://${grpcRx.address}` }));
    let level = 1;
    client.meter.createObservableGauge('pool.size').addCallback((r) => r.observe(level));
    await client.flush();
    expect(grpcRx.byCode[grpc.status.UNAVAILABLE]).toBeGreaterThanOrEqual(1);
    expect(sink.points.size).toBe(0);
    sink.overloaded = false;
    level = 2;
    await client.flush();
    expect(sink.points.get('checkout/pool.size')?.at(-1)?.[1]).toBe(2);
    expect(grpcRx.byCode[grpc.status.OK]).toBeGreaterThanOrEqual(1);
    await client.shutdown();
  });

  it('reports points dated too far ahead, refused by the Pipeline, as a partial success', async () => {
    const pipeline = new Pipeline({ createDetector: () => createDetector('mad'), maxFuture: 60_000 });
    http = await startOtlpHttpReceiver(new MetricsIngest(pipeline), { port: 0 });
    const at = (ms: number) => `${ms}000000`;
    const now = Date.now();
    const body = {
      resourceMetrics: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'web' } }] },
          scopeMetrics: [
            {
              metrics: [
                { name: 'cpu', gauge: { dataPoints: [{ timeUnixNano: at(now - 1000), asDouble: 1 }] } },
                { name: 'mem', gauge: { dataPoints: [{ timeUnixNano: at(now + 3_600_000), asDouble: 1 }] } },
              ],
            },
          ],
        },
      ],
    };
    const res = await fetch(`${http.url}/v1/metrics`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as {
      partialSuccess: { rejectedDataPoints: string; errorMessage: string };
    };
    expect(answer.partialSuccess.rejectedDataPoints).toBe('1');
    expect(answer.partialSuccess.errorMessage).toBe("1 points dated too far ahead of the receiver's clock");
    expect(pipeline.stats).toMatchObject({ points: 1, future: 1 });
    await pipeline.close();
  });
});
