import type { PipelineStats } from '@vigil/core';
import { Counter, Gauge, Registry } from 'prom-client';
import type { IngestStats } from '../otlp/metrics-ingest.js';
import type { AlertmanagerStats } from '../outputs/alertmanager-output.js';

/** What the Prometheus metrics read, at scrape time. */
export interface ServiceMetricSources {
  pipeline: () => PipelineStats;
  openIncidents: () => number;
  ingest: () => IngestStats;
  httpByStatus: () => Record<number, number>;
  grpcByCode: () => Record<number, number>;
  stateBytes: () => number;
  alertmanager: () => AlertmanagerStats | undefined;
}

/**
 * Vigil's own metrics as a Prometheus registry (`vigil_*`), read from the live components at each scrape.
 *
 * @example
 * const registry = serviceMetrics(sources);
 * await registry.metrics(); // Prometheus text format
 */
export function serviceMetrics(src: ServiceMetricSources): Registry {
  const registry = new Registry();
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  // Counters read from component totals: reset to the total at each scrape (prom-client counters only add).
  const counter = (
    name: string,
    help: string,
    labelNames: string[],
    read: () => Array<[Record<string, string>, number]>,
  ) => {
    const c: Counter<string> = new Counter({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        c.reset();
        for (const [labels, v] of read()) if (v > 0) c.inc(labels, v);
      },
    });
    return c;
  };
  gauge('vigil_series', 'Series the pipeline tracks.', () => src.pipeline().series);
  gauge(
    'vigil_series_quarantined',
    'Series whose detector is quarantined (it threw or scored outside [0, 1]).',
    () => src.pipeline().quarantinedSeries,
  );
  gauge('vigil_fits_queued', 'Fits waiting for a worker thread.', () => src.pipeline().queuedFits);
  gauge('vigil_fits_running', 'Fits in progress.', () => src.pipeline().runningFits);
  gauge('vigil_incidents_open', 'Incidents open now.', src.openIncidents);
  gauge('vigil_state_snapshot_bytes', 'Size of the last state snapshot written.', src.stateBytes);
  counter('vigil_points_total', 'Points by outcome in the pipeline.', ['outcome'], () => {
    const s = src.pipeline();
    return [
      [{ outcome: 'accepted' }, s.points],
      [{ outcome: 'scored' }, s.scored],
      [{ outcome: 'dropped' }, s.dropped],
      [{ outcome: 'future' }, s.future],
      [{ outcome: 'over_limit' }, s.overLimit],
    ];
  });
  counter('vigil_series_evicted_total', 'Series evicted, by reason.', ['reason'], () => {
    const s = src.pipeline();
    return [
      [{ reason: 'idle' }, s.evictedIdle],
      [{ reason: 'capacity' }, s.evictedLru],
    ];
  });
  counter('vigil_quarantines_total', 'Detectors quarantined.', [], () => [[{}, src.pipeline().quarantined]]);
  counter('vigil_fits_total', 'Detector fits by result.', ['result'], () => {
    const s = src.pipeline();
    return [
      [{ result: 'ok' }, s.fits],
      [{ result: 'failed' }, s.fitFailures - s.fitTimeouts],
      [{ result: 'timeout' }, s.fitTimeouts],
    ];
  });
  counter('vigil_events_total', 'Anomaly events opened.', [], () => [[{}, src.pipeline().events]]);
  counter('vigil_otlp_points_total', 'OTLP data points by outcome.', ['outcome'], () => {
    const s = src.ingest();
    return [
      [{ outcome: 'accepted' }, s.accepted],
      [{ outcome: 'rejected' }, s.rejected],
      [{ outcome: 'over_cardinality' }, s.overCardinality],
      [{ outcome: 'future' }, s.future],
    ];
  });
  counter(
    'vigil_otlp_requests_total',
    'OTLP export requests by transport and status.',
    ['transport', 'status'],
    () => [
      ...Object.entries(src.httpByStatus()).map(([k, v]): [Record<string, string>, number] => [
        { transport: 'http', status: k },
        v,
      ]),
      ...Object.entries(src.grpcByCode()).map(([k, v]): [Record<string, string>, number] => [
        { transport: 'grpc', status: k },
        v,
      ]),
    ],
  );
  counter('vigil_alertmanager_alerts_total', 'Alerts sent to Alertmanager by result.', ['result'], () => {
    const s = src.alertmanager();
    return s
      ? [
          [{ result: 'sent' }, s.sent],
          [{ result: 'retried' }, s.retries],
          [{ result: 'failed' }, s.failed],
        ]
      : [];
  });
  return registry;
}
