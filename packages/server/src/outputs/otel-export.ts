import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter as HttpJsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter as HttpJsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { type AnomalyEvent, type Incident, type IncidentChange, OtelOutput } from '@vigil/core';
import type { ForecastEvent } from '../serve/forecast-event.js';
import type { Output } from './output.js';

/** Options of {@link OtelExport}. */
export interface OtelExportOptions {
  /** OTLP/HTTP base URL of the backend or Collector, e.g. `http://collector:4318`. */
  endpoint: string;
  /** `http/protobuf` (default, as the SDK) or `http/json`. */
  protocol?: 'http/protobuf' | 'http/json';
  headers?: Record<string, string>;
  /** Metric export interval, ms. Default 10 000. */
  exportIntervalMs?: number;
  /** `service.name` of what Vigil exports. Default `'vigil'`. */
  serviceName?: string;
}

const SEVERITY: Record<string, SeverityNumber> = {
  warning: SeverityNumber.WARN,
  critical: SeverityNumber.ERROR,
};

/**
 * Exports what Vigil finds through the OpenTelemetry SDK over OTLP/HTTP: anomaly scores and event counts as metrics
 * (core's `OtelOutput` on this provider's meter: `vigil.anomaly.score`, `vigil.anomaly.events`), and events,
 * incidents and forecasts as log records (`event.name` `vigil.anomaly`, `vigil.incident`, `vigil.forecast`).
 *
 * @example
 * const otel = new OtelExport({ endpoint: 'http://collector:4318' });
 * const pipeline = new Pipeline({ createDetector, otel: otel.metrics });
 */
export class OtelExport implements Output {
  readonly name = 'otlp';
  /** Pass to the Pipeline's `otel` option. */
  readonly metrics: OtelOutput;
  readonly #meterProvider: MeterProvider;
  readonly #loggerProvider: LoggerProvider;
  readonly #logger;

  constructor(options: OtelExportOptions) {
    const base = options.endpoint.replace(/\/+$/, '');
    const json = options.protocol === 'http/json';
    const headers = options.headers ?? {};
    const resource = resourceFromAttributes({ 'service.name': options.serviceName ?? 'vigil' });
    const metricExporter = json
      ? new HttpJsonMetricExporter({ url: `${base}/v1/metrics`, headers })
      : new ProtoMetricExporter({ url: `${base}/v1/metrics`, headers });
    this.#meterProvider = new MeterProvider({
      resource,
      readers: [
        new PeriodicExportingMetricReader({
          exporter: metricExporter,
          exportIntervalMillis: options.exportIntervalMs ?? 10_000,
        }),
      ],
    });
    const logExporter = json
      ? new HttpJsonLogExporter({ url: `${base}/v1/logs`, headers })
      : new ProtoLogExporter({ url: `${base}/v1/logs`, headers });
    this.#loggerProvider = new LoggerProvider({
      resource,
      processors: [new BatchLogRecordProcessor({ exporter: logExporter, scheduledDelayMillis: 1000 })],
    });
    this.#logger = this.#loggerProvider.getLogger('@vigil/server');
    this.metrics = new OtelOutput({ meter: this.#meterProvider.getMeter('@vigil/server') });
  }

  onEvent(event: AnomalyEvent, change: 'open' | 'close'): void {
    this.#logger.emit({
      eventName: 'vigil.anomaly',
      severityNumber: SEVERITY[event.severity] ?? SeverityNumber.WARN,
      severityText: event.severity,
      timestamp: change === 'open' ? event.start : event.end,
      body: `Anomaly ${change === 'open' ? 'started' : 'ended'} on ${event.seriesKey} (peak score ${event.peakScore.toFixed(3)})`,
      attributes: {
        'vigil.series.key': event.seriesKey,
        'vigil.anomaly.change': change,
        'vigil.anomaly.peak_score': event.peakScore,
        'vigil.anomaly.start': event.start,
        'vigil.anomaly.end': event.end,
      },
    });
  }

  onIncident(incident: Incident, change: IncidentChange): void {
    if (change === 'updated') return;
    this.#logger.emit({
      eventName: 'vigil.incident',
      severityNumber: SEVERITY[incident.severity] ?? SeverityNumber.WARN,
      severityText: incident.severity,
      timestamp: change === 'opened' ? incident.start : incident.end,
      body: `Incident ${incident.id} ${change}: ${incident.series.join(', ')}`,
      attributes: {
        'vigil.incident.id': incident.id,
        'vigil.incident.change': change,
        'vigil.incident.series': [...incident.series],
        'vigil.incident.peak_score': incident.peakScore,
        ...(incident.rootCauses?.causes[0]
          ? { 'vigil.incident.root_cause': incident.rootCauses.causes[0].seriesKey }
          : {}),
      },
    });
  }

  onForecast(f: ForecastEvent): void {
    this.#logger.emit({
      eventName: 'vigil.forecast',
      severityNumber: f.state === 'firing' ? SeverityNumber.WARN : SeverityNumber.INFO,
      severityText: f.state === 'firing' ? 'warning' : 'info',
      timestamp: f.t,
      body: f.summary,
      attributes: {
        'vigil.series.key': f.seriesKey,
        'vigil.forecast.check': f.check,
        'vigil.forecast.state': f.state,
        'vigil.forecast.confidence': f.confidence,
        ...(f.eta !== null ? { 'vigil.forecast.eta': f.eta } : {}),
      },
    });
  }

  /** Exports what is pending now. */
  async flush(): Promise<void> {
    await Promise.all([this.#meterProvider.forceFlush(), this.#loggerProvider.forceFlush()]);
  }

  async shutdown(): Promise<void> {
    await Promise.all([this.#meterProvider.shutdown(), this.#loggerProvider.shutdown()]);
  }
}
