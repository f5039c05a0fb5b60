import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
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
  });
  return {
    meter: provider.getMeter('test'),
    flush: () => reader.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

export { AggregationTemporality };
