import type { PipelineOptions } from '@vigil/core';
import type { VigilConfig } from '../config/schema.js';
import { detectorFactory } from './detector-rules.js';

/**
 * The Pipeline options the `pipeline` section describes (detectors by series pattern, warm-up, refits, alert
 * policy, incident window), shared by the single-process service and every partition of a cluster.
 *
 * @example
 * const pipeline = new Pipeline({ ...pipelineOptions(config), onIncident });
 */
export function pipelineOptions(config: VigilConfig): PipelineOptions {
  const p = config.pipeline;
  return {
    createDetector: detectorFactory(config),
    warmup: p.warmup,
    refitEvery: p.refitEvery,
    ...(p.history !== undefined ? { history: p.history } : {}),
    incidentWindow: p.incidentWindowMs,
    policy: Object.fromEntries(Object.entries(p.alert).filter(([, v]) => v !== undefined)),
  };
}
