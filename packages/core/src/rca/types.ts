import type { SeriesLike } from '../series/series.js';
import type { Topology } from './topology.js';

/** One series of an incident, ranked as a possible root cause. */
export interface RootCause {
  /** 1 for the most likely cause. */
  readonly rank: number;
  readonly seriesKey: string;
  /** The service the series belongs to (`serviceOf(seriesKey)`). */
  readonly service: string;
  /** Share of the incident's evidence pointing at this series, in [0, 1]; the shares of an incident sum to 1. */
  readonly score: number;
  /** When the series started to change, ms (the change point; the event start when there is no history). */
  readonly onset: number;
  /** Whether the series went up or down. */
  readonly direction: 'rose' | 'fell';
  /** How far it moved, in baseline deviations (|z|); NaN without history. */
  readonly magnitude: number;
  /** Level before and during the change (NaN without history). */
  readonly baseline: number;
  readonly level: number;
  /** Why, in one sentence a person can check, e.g. "db/latency rose 4 min before checkout/latency and checkout calls db". */
  readonly explanation: string;
}

/** The root-cause ranking of an incident. */
export interface RootCauseRanking {
  /** Every series of the incident (up to `maxCandidates`), most likely cause first. */
  readonly causes: readonly RootCause[];
  /** The top cause's explanation. */
  readonly summary: string;
  /** True when a call graph contributed to the ranking. */
  readonly usedTopology: boolean;
}

/** Options of {@link rankRootCauses}. */
export interface RankOptions {
  /** Recent history of a series (timestamps ms ascending, values), used for onsets, magnitudes and lead–lag. */
  readonly history?: (seriesKey: string) => SeriesLike | undefined;
  /** Who calls whom, by service name. */
  readonly topology?: Topology;
  /** Most series ranked, by peak score. Default 30. */
  readonly maxCandidates?: number;
  /** Largest lead–lag tested, in sampling steps. Default 10. */
  readonly maxLag?: number;
  /** Weights of the pairwise evidence (onset order, lead–lag, topology) and of magnitude. */
  readonly weights?: Partial<RankWeights>;
}

/** How much each kind of evidence counts; see {@link rankRootCauses}. */
export interface RankWeights {
  /** Onset order. Default 2. */
  readonly onset: number;
  /** Lead–lag of the differenced series. Default 1. */
  readonly lag: number;
  /** Call graph: a callee's anomaly explains its callers'. Default 2.5. */
  readonly topology: number;
  /** Persistence: a blip shorter than half another series' disturbance cannot explain it. Default 1. */
  readonly persistence: number;
  /** Relative magnitude (added to the pairwise share). Default 0.25. */
  readonly magnitude: number;
}
