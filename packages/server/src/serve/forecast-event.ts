/** A predictive-maintenance finding on one series: a resource that will run out, or memory that leaks. */
export interface ForecastEvent {
  readonly seriesKey: string;
  readonly check: 'exhaustion' | 'leak';
  /** `firing` when the check starts to hold, `resolved` when it stops. */
  readonly state: 'firing' | 'resolved';
  /** When it was evaluated (the series' latest time), ms. */
  readonly t: number;
  /** Forecast time at which the limit is reached, ms, when known. */
  readonly eta: number | null;
  /** Confidence in [0, 1] (leak: 1 − p of the trend test; exhaustion: share of the interval inside the horizon). */
  readonly confidence: number;
  /** One sentence for a person, from the maintenance function. */
  readonly summary: string;
}
