import type { PipelineOptions } from '@vigil/core';
import type { VigilConfig } from '../config/schema.js';
import { detectorSpec } from './detector-rules.js';

/**
 * The Pipeline options the `pipeline` section describes (detectors by series pattern fitted in worker threads,
 * warm-up, refits, limits, alert policy, incident window), shared by the single-process service and each member of
 * a cluster (one Pipeline for all the partitions it holds).
 *
 * @example
 * const pipeline = new Pipeline({ ...pipelineOptions(config), onIncident });
 */
export function pipelineOptions(config: VigilConfig): PipelineOptions {
  const p = config.pipeline;
  return {
    // Fits and refits run in worker threads, which build detectors with @vigil/detectors.
    detectors: {
      module: '@vigil/detectors',
      spec: detectorSpec(config),
      ...(p.fitThreads !== undefined ? { threads: p.fitThreads } : {}),
      niceness: p.fitNiceness,
    },
    warmup: p.warmup,
    refitEvery: p.refitEvery,
    ...(p.history !== undefined ? { history: p.history } : {}),
    incidentWindow: p.incidentWindowMs,
    maxSeries: p.maxSeries,
    maxSeriesPerMetric: p.maxSeriesPerMetric,
    idleTimeout: p.idleTimeoutMs,
    maxFuture: p.maxFutureMs,
    fitTimeout: p.fitTimeoutMs,
    maxQueuedFits: p.maxQueuedFits,
    policy: Object.fromEntries(Object.entries(p.alert).filter(([, v]) => v !== undefined)),
  };
}
