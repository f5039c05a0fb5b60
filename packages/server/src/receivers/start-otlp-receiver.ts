import { MetricsIngest, type MetricsIngestOptions, type PointSink } from '../otlp/metrics-ingest.js';
import { type OtlpHttpReceiver, type OtlpHttpReceiverOptions, startOtlpHttpReceiver } from './otlp-http.js';

/**
 * Starts an OTLP/HTTP metrics receiver feeding a `Pipeline` (or any {@link PointSink}): the one-call form of
 * `startOtlpHttpReceiver(new MetricsIngest(pipeline), options)`.
 *
 * @example
 * const rx = await startOtlpReceiver(pipeline, { host: '0.0.0.0', port: 4318 });
 */
export function startOtlpReceiver(
  pipeline: PointSink,
  options: OtlpHttpReceiverOptions & MetricsIngestOptions = {},
): Promise<OtlpHttpReceiver> {
  return startOtlpHttpReceiver(new MetricsIngest(pipeline, { maxSeries: options.maxSeries }), options);
}
