import type { ExportResult } from '@opentelemetry/core';
import { OTLPMetricExporter as GrpcExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as JsonExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SeriesLedger } from '../../src/cluster/partition-snapshot.js';
import { parseConfig } from '../../src/config/load-config.js';
import { retryDelayOf } from '../../src/receivers/retry-info.js';
import { VigilService } from '../../src/serve/vigil-service.js';
import { until } from '../helpers/http-sink.js';
import { type NatsServerProcess, natsUnavailable, startNatsServer } from '../helpers/nats-server.js';
import { otelClient } from '../helpers/otel-client.js';

const skip = natsUnavailable();
if (skip) console.warn(`cluster receiver tests skipped: ${skip}`);

let nats: NatsServerProcess;
beforeAll(async () => {
  if (!skip) nats = await startNatsServer();
});
afterAll(async () => {
  await nats?.stop();
});

/** Passes exports through to a real exporter and keeps every result (the SDK itself only logs them). */
class Recorded implements PushMetricExporter {
  readonly results: ExportResult[] = [];
  constructor(readonly inner: PushMetricExporter) {}
  export(metrics: ResourceMetrics, done: (result: ExportResult) => void): void {
    this.inner.export(metrics, (result) => {
      this.results.push(result);
      done(result);
    });
  }
  forceFlush() {
    return this.inner.forceFlush();
  }
  shutdown() {
    return this.inner.shutdown();
  }
}

const SUCCESS = 0;

describe.skipIf(skip !== undefined)('receivers in a cluster acknowledge only what JetStream stored', () => {
  it('answers 503 + Retry-After / UNAVAILABLE + RetryInfo while NATS is down; the OTLP/HTTP exporters retry and no point is lost', async () => {
    const service = await VigilService.start(
      parseConfig({
        receivers: {
          otlpHttp: { host: '127.0.0.1', port: 0 },
          otlpGrpc: { host: '127.0.0.1', port: 0 },
          retryAfterSeconds: 1,
        },
        admin: { enabled: false },
        outputs: { console: { enabled: false } },
        pipeline: { warmup: 40, defaultDetector: { kind: 'mad', options: { window: 30 } } },
        cluster: { nats: { servers: nats.url }, name: 'store', partitions: 4, leaseMs: 2000, workerId: 'rx' },
      }),
      { write: () => {} },
    );
    try {
      await until(() => service.cluster!.worker!.partitions.length === 4, 15_000, 'all partitions held');
      const url = `${service.http!.url}/v1/metrics`;
      const exporters = {
        json: new Recorded(new JsonExporter({ url, timeoutMillis: 20_000 })),
        proto: new Recorded(new ProtoExporter({ url, timeoutMillis: 20_000 })),
        grpc: new Recorded(
          new GrpcExporter({ url: `http://${service.grpc!.address}`, timeoutMillis: 5_000 }),
        ),
      };
      const clients = Object.entries(exporters).map(([name, exporter]) => {
        const client = otelClient(exporter, name);
        const depth = client.meter.createGauge('queue.depth');
        const requests = client.meter.createCounter('requests');
        return { name, client, depth, requests };
      });
      const ROUNDS = 12;
      const OUTAGE_AT = 6;
      const round = async (i: number) => {
        for (const c of clients) {
          c.depth.record(10 + i);
          c.requests.add(1 + i);
        }
        // Each export carries a later timestamp than the one before.
        await new Promise((r) => setTimeout(r, 5));
        await Promise.all(clients.map((c) => c.client.flush().catch(() => undefined)));
      };
      for (let i = 0; i < OUTAGE_AT; i++) await round(i);

      // NATS goes away: exports are refused, with a hint to retry, until it is back.
      await nats.halt();
      await until(
        () => service.cluster!.publisher.unavailable !== undefined,
        5_000,
        'the publisher to see it',
      );
      const during = round(OUTAGE_AT);
      await until(
        () => (service.http!.stats.byStatus[503] ?? 0) >= 2 && (service.grpc!.byCode[14] ?? 0) >= 1,
        10_000,
        'HTTP 503s and a gRPC UNAVAILABLE',
      );
      const refused = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"resourceMetrics":[]}',
      });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      await nats.restart();
      await during;
      for (let i = OUTAGE_AT + 1; i < ROUNDS; i++) await round(i);

      // Both HTTP exporters were refused and then succeeded on a retry: every export ended in success.
      for (const name of ['json', 'proto'] as const) {
        expect(exporters[name].results).toHaveLength(ROUNDS);
        expect(exporters[name].results.every((r) => r.code === SUCCESS)).toBe(true);
      }
      // The JS gRPC exporter does not retry: it reports the refusal (with the RetryInfo delay), never a success.
      const grpcFailures = exporters.grpc.results.filter((r) => r.code !== SUCCESS);
      expect(grpcFailures.length).toBeGreaterThanOrEqual(1);
      const error = grpcFailures[0].error as { code?: number; metadata?: import('@grpc/grpc-js').Metadata };
      expect(error.code).toBe(14);
      expect(retryDelayOf(error.metadata)).toBe(1);
      expect(exporters.grpc.results.at(-1)?.code).toBe(SUCCESS);

      // Every point of the HTTP clients reached a partition exactly once: ROUNDS gauge points, and ROUNDS − 1 rates
      // from the cumulative counter (its first export is the baseline).
      const worker = service.cluster!.worker!;
      const ledger = () => {
        const all = new Map<string, SeriesLedger>();
        for (const p of worker.partitions)
          for (const [k, l] of worker.consumer(p)?.ledger ?? []) all.set(k, l);
        return all;
      };
      const expected: Record<string, number> = {
        'json/queue.depth': ROUNDS,
        'proto/queue.depth': ROUNDS,
        'json/requests': ROUNDS - 1,
        'proto/requests': ROUNDS - 1,
      };
      const counts = () => Object.fromEntries(Object.keys(expected).map((k) => [k, ledger().get(k)?.n ?? 0]));
      await until(
        () => Object.entries(expected).every(([k, n]) => counts()[k] === n),
        20_000,
        'every accepted point applied',
      ).catch(() => undefined);
      expect(counts()).toEqual(expected);
      expect(service.ingest.stats.unstored + (service.http!.stats.byStatus[503] ?? 0)).toBeGreaterThan(0);
    } finally {
      await service.stop();
    }
  }, 90_000);
});
