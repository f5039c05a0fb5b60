import { diag } from '@opentelemetry/api';

/** Counters of points a stream did not score normally. */
export interface StreamCounters {
  /** Points scored. */
  scored: number;
  /** Points with a NaN value (not learnt from). */
  missing: number;
  /** Points ignored because their timestamp was not finite or earlier than the previous one. */
  dropped: number;
  /**
   * Points admitted with the same timestamp as the point before them (scored and learnt like any other: a stream
   * cannot wait to aggregate, and a repeated timestamp in real data is usually a real observation).
   */
  repeated: number;
}

/**
 * Screens streamed points so that a detector never throws on bad data: it says whether a point is usable, and counts
 * and reports (through the OpenTelemetry diagnostic logger, silent by default) the ones that are not. A point whose
 * timestamp equals the previous one is admitted (and counted in `repeated`); only earlier or non-finite timestamps
 * are dropped.
 *
 * @example
 * const guard = new StreamGuard('zscore');
 * guard.admit(1000, 0.4); // 'ok'
 * guard.admit(1000, 0.6); // 'ok' (repeated timestamp, counted)
 * guard.admit(500, 0.5);  // 'dropped' (out of order)
 */
export class StreamGuard {
  readonly counters: StreamCounters = { scored: 0, missing: 0, dropped: 0, repeated: 0 };
  #lastT: number;
  readonly #name: string;

  constructor(name: string, lastT = Number.NEGATIVE_INFINITY) {
    this.#name = name;
    this.#lastT = lastT;
  }

  /** Timestamp of the last admitted point (−Infinity before any). */
  get lastTimestamp(): number {
    return this.#lastT;
  }

  /**
   * Classifies one point: `'ok'` (score and learn), `'missing'` (value NaN: advance time, learn nothing) or
   * `'dropped'` (non-finite or earlier timestamp, or a non-numeric/infinite value: ignore).
   */
  admit(t: number, x: number | ArrayLike<number>): 'ok' | 'missing' | 'dropped' {
    if (typeof t !== 'number' || !Number.isFinite(t) || t < this.#lastT) {
      this.counters.dropped++;
      diag.warn(
        `vigil ${this.#name}: dropped point at t=${t}: timestamps must be finite and not decreasing (last ${this.#lastT})`,
      );
      return 'dropped';
    }
    let missing = false;
    if (typeof x === 'number') {
      if (Number.isNaN(x)) missing = true;
      else if (!Number.isFinite(x)) return this.#dropValue(t, x);
    } else if (x && typeof x === 'object' && typeof x.length === 'number') {
      for (let j = 0; j < x.length; j++) {
        const v = x[j];
        if (typeof v !== 'number' || v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY) {
          return this.#dropValue(t, v);
        }
        if (Number.isNaN(v)) missing = true;
      }
    } else {
      return this.#dropValue(t, x);
    }
    if (t === this.#lastT) this.counters.repeated++;
    this.#lastT = t;
    if (missing) {
      this.counters.missing++;
      return 'missing';
    }
    this.counters.scored++;
    return 'ok';
  }

  #dropValue(t: number, v: unknown): 'dropped' {
    this.counters.dropped++;
    diag.warn(
      `vigil ${this.#name}: dropped point at t=${t}: value ${String(v)} is not a finite number or NaN`,
    );
    return 'dropped';
  }
}
