import type { AnomalyEvent } from '@vigil/core';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricsIngest } from '../../src/otlp/metrics-ingest.js';
import { OtelExport } from '../../src/outputs/otel-export.js';
import { type OtlpHttpReceiver, startOtlpHttpReceiver } from '../../src/receivers/otlp-http.js';
import { startHttpSink } from '../helpers/http-sink.js';
import { RecordingSink } from '../helpers/recording-sink.js';

let rx: OtlpHttpReceiver | undefined;
let closeSink: (() => Promise<void>) | undefined;
afterEach(async () => {
  await rx?.close();
  await closeSink?.();
});

const event: AnomalyEvent = {
  seriesKey: 'web/latency',
  start: Date.parse('2026-01-01T00:00:00Z'),
  end: Date.parse('2026-01-01T00:01:00Z'),
  points: 6,
  peakScore: 0.9995,
  peakTime: Date.parse('2026-01-01T00:00:30Z'),
  severity: 'critical',
  observed: 900,
  expected: 120,
};

describe('OtelExport', () => {
  it('exports anomaly scores as OTLP protobuf metrics that a Vigil receiver reads back', async () => {
    const sink = new RecordingSink();
    rx = await startOtlpHttpReceiver(new MetricsIngest(sink), { port: 0 });
    const otel = new OtelExport({ endpoint: rx.url, exportIntervalMs: 3_600_000 });
    otel.metrics.recordScore('web/latency', 0.25);
    otel.metrics.recordEvent(event);
    await otel.flush();
    otel.metrics.recordScore('web/latency', 0.75);
    await otel.flush();
    await otel.shutdown();
    const scores = sink.points
      .get('vigil/vigil.anomaly.score{vigil.series.key=web/latency}')
      ?.map(([, v]) => v);
    expect(scores?.slice(0, 2)).toEqual([0.25, 0.75]);
  });

  it('exports events, incidents and forecasts as OTLP log records', async () => {
    const backend = await startHttpSink();
    closeSink = backend.close;
    const otel = new OtelExport({
      endpoint: backend.url,
      protocol: 'http/json',
      exportIntervalMs: 3_600_000,
    });
    otel.onEvent(event, 'open');
    otel.onIncident(
      {
        id: 'inc-1',
        start: event.start,
        end: event.end,
        events: [event],
        series: [event.seriesKey],
        peakScore: 0.9995,
        severity: 'critical',
        open: true,
      },
      'opened',
    );
    otel.onForecast({
      seriesKey: 'host/disk.used',
      check: 'exhaustion',
      state: 'firing',
      t: event.end,
      eta: event.end + 3_600_000,
      confidence: 0.9,
      summary: 'disk fills in 1 hour',
    });
    await otel.flush();
    await otel.shutdown();
    const logs = backend.received.filter((r) => r.path === '/v1/logs');
    const records = logs.flatMap(
      (r) =>
        JSON.parse(r.body.toString()).resourceLogs[0].scopeLogs[0].logRecords as Array<{
          eventName: string;
          body: { stringValue: string };
        }>,
    );
    expect(records.map((r) => r.eventName)).toEqual(['vigil.anomaly', 'vigil.incident', 'vigil.forecast']);
    expect(records[2].body.stringValue).toBe('disk fills in 1 hour');
  });
});
