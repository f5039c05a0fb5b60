/** Counters of a pipeline (all totals since it started, except the gauges `series` … `queuedFits`). */
export interface PipelineStats {
  /** Series tracked now. */
  series: number;
  /** Series whose detector is quarantined now. */
  quarantinedSeries: number;
  /** Fits waiting for a worker now, and in progress otherwise (running, or starting). */
  queuedFits: number;
  runningFits: number;
  /** Points accepted (buffered or scored). */
  points: number;
  /** Points scored by a fitted detector. */
  scored: number;
  /**
   * Points refused: bad key, bad or out-of-order timestamp, non-numeric value, and the two below (which are also
   * counted on their own).
   */
  dropped: number;
  /** Points refused as dated more than `maxFuture` after the wall clock. */
  future: number;
  /** Points of new series refused because their metric had `maxSeriesPerMetric` series. */
  overLimit: number;
  /** Series evicted after `idleTimeout` without points, and to make room under `maxSeries`. */
  evictedIdle: number;
  evictedLru: number;
  /** Fits and refits completed, and failed (timeouts included). */
  fits: number;
  fitFailures: number;
  /** Fits abandoned after `fitTimeout`. */
  fitTimeouts: number;
  /** Times a detector was quarantined (threw, or scored outside [0, 1]). */
  quarantined: number;
  /** Events opened. */
  events: number;
}
