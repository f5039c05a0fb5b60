import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  AggregationType,
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
} from '@opentelemetry/sdk-metrics';

/**
 * A real OpenTelemetry SDK meter provider exporting through `exporter`; `flush()` sends what was recorded.
 * Exports are driven by `flush()`, not a timer, so a test knows when points left.
 */
export function otelClient(exporter: PushMetricExporter, service = 'checkout') {
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    readers: [reader],
    // Instruments named `*.exp` aggregate into exponential histograms, the others into the default ones.
    views: [{ instrumentName: '*.exp', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
  });
  return {
    meter: provider.getMeter('test'),
    flush: () => reader.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

export { AggregationTemporality };
