import type { AlertTrackerState } from '../alerting/alert-policy.js';
import type { DetectorSnapshot } from '../detector/detector.js';

/** One series of a {@link PipelineSnapshot}. */
export interface SeriesSnapshot {
  readonly key: string;
  /** Time of the latest accepted point, ms (points at or before it stay dropped after a restore). */
  readonly lastT: number;
  /** The history kept for refits. */
  readonly timestamps: readonly number[];
  readonly values: readonly number[];
  /** Points since the last fit (the refit schedule continues from here). */
  readonly sinceFit: number;
  /** The fitted detector, or null while the series still warms up. */
  readonly detector: DetectorSnapshot | null;
  /** The alert policy's state (an event in progress, the cooldown); absent in snapshots of older versions. */
  readonly alert?: AlertTrackerState;
}

/** A Pipeline's learnt state, JSON-serializable: restore it into a new Pipeline to lose nothing on restart. */
export interface PipelineSnapshot {
  readonly version: 1;
  /** When it was taken, ms. */
  readonly takenAt: number;
  readonly series: readonly SeriesSnapshot[];
}

/** Version of {@link PipelineSnapshot} this code writes. */
export const PIPELINE_SNAPSHOT_VERSION = 1;
