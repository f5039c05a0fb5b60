import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricsIngest } from '../../src/otlp/metrics-ingest.js';
import { METRICS_SERVICE_PROTO, protoDir } from '../../src/otlp/proto-root.js';
import { type OtlpGrpcReceiver, startOtlpGrpcReceiver } from '../../src/receivers/otlp-grpc.js';
import { otelClient } from '../helpers/otel-client.js';
import { RecordingSink } from '../helpers/recording-sink.js';

let rx: OtlpGrpcReceiver | undefined;
afterEach(async () => {
  await rx?.close();
  rx = undefined;
});

/** A plain gRPC client of the OTLP MetricsService, for what the SDK exporter would not send. */
function rawClient(address: string, options: grpc.ChannelOptions = {}) {
  const def = loadSync(METRICS_SERVICE_PROTO, { includeDirs: [protoDir()], longs: String, defaults: false });
  const Service = grpc.makeGenericClientConstructor(
    def['opentelemetry.proto.collector.metrics.v1.MetricsService'] as grpc.ServiceDefinition,
    'MetricsService',
  );
  const client = new Service(address, grpc.credentials.createInsecure(), options);
  const exportCall = (request: object, metadata = new grpc.Metadata()) =>
    new Promise<{ error: grpc.ServiceError | null; response: unknown }>((resolve) =>
      (
        client as unknown as {
          Export: (
            r: object,
            m: grpc.Metadata,
            cb: (e: grpc.ServiceError | null, r: unknown) => void,
          ) => void;
        }
      ).Export(request, metadata, (error: grpc.ServiceError | null, response: unknown) =>
        resolve({ error, response }),
      ),
    );
  return { exportCall, close: () => client.close() };
}

const gauge = (name: string, value: number) => ({
  resourceMetrics: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'web' } }] },
      scopeMetrics: [
        {
          metrics: [
            { name, gauge: { dataPoints: [{ timeUnixNano: '1700000000000000000', asDouble: value }] } },
          ],
        },
      ],
    },
  ],
});

describe('OTLP/gRPC receiver', () => {
  for (const compression of ['none', 'gzip']) {
    it(`receives what the real OpenTelemetry JS gRPC exporter sends (compression ${compression})`, async () => {
      const sink = new RecordingSink();
      rx = await startOtlpGrpcReceiver(new MetricsIngest(sink), { port: 0 });
      const client = otelClient(
        new OTLPMetricExporter({ url: `http://${rx.address}`, compression: compression as never }),
      );
      let level = 7;
      client.meter.createObservableGauge('pool.size').addCallback((r) => r.observe(level));
      const h = client.meter.createHistogram('db.time');
      h.record(5);
      await client.flush();
      level = 8;
      for (let i = 1; i <= 10; i++) h.record(i);
      await client.flush();
      await client.shutdown();
      expect(
        sink.points
          .get('checkout/pool.size')
          ?.slice(0, 2)
          .map(([, v]) => v),
      ).toEqual([7, 8]);
      expect(sink.points.get('checkout/db.time.count')?.[0][1]).toBe(10);
      expect(sink.points.get('checkout/db.time')?.[0][1]).toBeCloseTo(5.5, 9);
      expect(rx.byCode[grpc.status.OK]).toBeGreaterThanOrEqual(2);
    });
  }

  it('refuses a compressed bomb with RESOURCE_EXHAUSTED and keeps serving', async () => {
    const sink = new RecordingSink();
    rx = await startOtlpGrpcReceiver(new MetricsIngest(sink), { port: 0, maxMessageBytes: 1024 * 1024 });
    // A 16 MiB metric name gzips to a few KiB on the wire.
    const bomb = rawClient(rx.address, {
      'grpc.default_compression_algorithm': 2,
      'grpc.max_send_message_length': -1,
    });
    const big = await bomb.exportCall(gauge('x'.repeat(16 * 1024 * 1024), 1));
    expect(big.error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    bomb.close();
    const plain = rawClient(rx.address);
    const ok = await plain.exportCall(gauge('cpu', 0.25));
    expect(ok.error).toBeNull();
    expect(sink.points.get('web/cpu')).toEqual([[1_700_000_000_000, 0.25]]);
    plain.close();
  });

  it('answers UNAUTHENTICATED without the token, UNAVAILABLE when not ready, partial success for rejects', async () => {
    const sink = new RecordingSink();
    rx = await startOtlpGrpcReceiver(new MetricsIngest(sink), { port: 0, bearerToken: 'tok' });
    const c = rawClient(rx.address);
    expect((await c.exportCall(gauge('cpu', 1))).error?.code).toBe(grpc.status.UNAUTHENTICATED);
    const md = new grpc.Metadata();
    md.set('authorization', 'Bearer tok');
    expect((await c.exportCall(gauge('cpu', 1), md)).error).toBeNull();
    const again = await c.exportCall(gauge('cpu', 2), md);
    expect(again.response).toEqual({
      partialSuccess: { rejectedDataPoints: '1', errorMessage: '1 points out of order or with a bad value' },
    });
    rx.ready = false;
    expect((await c.exportCall(gauge('cpu', 3), md)).error?.code).toBe(grpc.status.UNAVAILABLE);
    c.close();
  });
});
