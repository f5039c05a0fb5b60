import type { PipelineSnapshot } from '@vigil/core';

/**
 * What a partition's owner has counted of one series: how many points it applied, the latest time, and the sum of
 * the (rounded) timestamps modulo 2^32. Replaying a stream into a restored partition must end with the same
 * ledger as one uninterrupted run: a lost point lowers `n`, a point counted twice raises it, and a point swapped for
 * another changes `sum32`.
 */
export interface SeriesLedger {
  n: number;
  lastT: number;
  sum32: number;
}

/** The state of one partition at a stream sequence: restore it, then replay the stream after `seq`. */
export interface PartitionSnapshot {
  readonly version: 1;
  readonly partition: number;
  /** Stream sequence of the last points message applied (0: none). */
  readonly seq: number;
  /** When it was taken, ms. */
  readonly takenAt: number;
  /** The worker that took it. */
  readonly owner: string;
  /** Per series: what was applied (the idempotence ledger). */
  readonly ledger: Record<string, SeriesLedger>;
  /** The partition's Pipeline: detectors, histories, refit schedules. */
  readonly pipeline: PipelineSnapshot;
}

/** Adds timestamp `t` to a series' ledger. */
export function recordInLedger(ledger: SeriesLedger, t: number): void {
  ledger.n++;
  ledger.lastT = t;
  ledger.sum32 = (ledger.sum32 + (Math.round(t) % 4294967296)) % 4294967296;
}
