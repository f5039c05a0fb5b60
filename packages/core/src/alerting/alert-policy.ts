import { checkNumberOption, VigilInputError } from '../errors.js';

/** A named severity level reached when an event's peak score is at least `minScore`. */
export interface SeverityLevel {
  readonly name: string;
  readonly minScore: number;
}

/** Options of an {@link AlertPolicy}. */
export interface AlertPolicyOptions {
  /** Score at or above which a point counts as anomalous. Default 0.999 (a 1-in-1000 false-positive rate). */
  threshold?: number;
  /** Fewest anomalous points for an event. Default 1. */
  minPoints?: number;
  /** Shortest event duration, ms from first to last anomalous point. Default 0. */
  minDuration?: number;
  /**
   * Longest stretch of normal points inside one event, ms from the event's last anomalous point: a normal point later
   * than this ends the event. Default 0: any normal point ends it. Missing points (NaN scores) never end an event.
   */
  maxGap?: number;
  /** After an event ends, new events starting within this many ms are suppressed. Default 0. */
  cooldown?: number;
  /**
   * Severity levels, any order; an event takes the highest level its peak reaches. Default
   * `[{ name: 'warning', minScore: threshold }, { name: 'critical', minScore: 1 − (1 − threshold) / 100 }]`.
   */
  severities?: readonly SeverityLevel[];
}

/** One observation as the alerting layer sees it. */
export interface ScoredPoint {
  readonly t: number;
  readonly score: number;
  /** The observed value (NaN when missing). */
  readonly value?: number;
  /** The model's expectation, when it has one. */
  readonly expected?: number;
}

/** An anomaly: a run of anomalous points of one series, merged by the policy. */
export interface AnomalyEvent {
  /** The series the event belongs to (e.g. `'host-1/cpu'`). */
  readonly seriesKey: string;
  /** First anomalous timestamp, ms. */
  readonly start: number;
  /** Last anomalous timestamp, ms. */
  readonly end: number;
  /** Number of anomalous points in the event. */
  readonly points: number;
  /** Highest score in the event and when it occurred. */
  readonly peakScore: number;
  readonly peakTime: number;
  /** Severity level of the peak. */
  readonly severity: string;
  /** Observed value at the peak (NaN when unknown). */
  readonly observed: number;
  /** The model's expectation at the peak (NaN when the model has none). */
  readonly expected: number;
}

/** An event crossing into qualification (`open`, alert now) or ending (`close`, with its final extent). */
export interface AlertTransition {
  readonly type: 'open' | 'close';
  readonly event: AnomalyEvent;
}

interface Run {
  start: number;
  end: number;
  points: number;
  peakScore: number;
  peakTime: number;
  observed: number;
  expected: number;
  opened: boolean;
}

/**
 * Turns point scores into {@link AnomalyEvent}s: minimum duration and point count, gap merging, cooldown and
 * severity levels. Configuration errors throw at construction; pushing points never throws.
 *
 * @throws {VigilInputError} `INVALID_OPTION` for out-of-range options.
 * @example
 * const policy = new AlertPolicy({ threshold: 0.999, maxGap: 10 * 60_000, cooldown: 30 * 60_000 });
 * const events = policy.events('web/cpu', series.timestamps, scores.score, series.values, scores.expected);
 */
export class AlertPolicy {
  readonly threshold: number;
  readonly minPoints: number;
  readonly minDuration: number;
  readonly maxGap: number;
  readonly cooldown: number;
  readonly severities: readonly SeverityLevel[];

  constructor(options: AlertPolicyOptions = {}) {
    this.threshold = checkNumberOption('threshold', options.threshold ?? 0.999, {
      min: 0,
      max: 1,
      exclusiveMin: true,
    });
    this.minPoints = checkNumberOption('minPoints', options.minPoints ?? 1, { min: 1, integer: true });
    this.minDuration = checkNumberOption('minDuration', options.minDuration ?? 0, { min: 0 });
    this.maxGap = checkNumberOption('maxGap', options.maxGap ?? 0, { min: 0 });
    this.cooldown = checkNumberOption('cooldown', options.cooldown ?? 0, { min: 0 });
    const levels = options.severities ?? [
      { name: 'warning', minScore: this.threshold },
      { name: 'critical', minScore: 1 - (1 - this.threshold) / 100 },
    ];
    if (levels.length === 0) {
      throw new VigilInputError('INVALID_OPTION', 'severities needs at least one level.', 'severities');
    }
    for (const [i, l] of levels.entries()) {
      if (typeof l?.name !== 'string' || l.name === '') {
        throw new VigilInputError(
          'INVALID_OPTION',
          `severities[${i}].name must be a non-empty string.`,
          'severities',
        );
      }
      checkNumberOption(`severities[${i}].minScore`, l.minScore, { min: 0, max: 1 });
    }
    this.severities = [...levels].sort((a, b) => a.minScore - b.minScore);
  }

  /** The severity name for a peak score (the lowest level when the score is below every level). */
  severityOf(score: number): string {
    let name = this.severities[0].name;
    for (const l of this.severities) if (score >= l.minScore) name = l.name;
    return name;
  }

  /** A stateful tracker of one series for streaming use. */
  tracker(seriesKey: string): AlertTracker {
    return new AlertTracker(this, seriesKey);
  }

  /**
   * Batch: the closed events of one scored series.
   *
   * @example
   * policy.events('db/latency', s.timestamps, scores.score, s.values, scores.expected);
   */
  events(
    seriesKey: string,
    timestamps: ArrayLike<number>,
    scores: ArrayLike<number>,
    values?: ArrayLike<number>,
    expected?: ArrayLike<number>,
  ): AnomalyEvent[] {
    const tracker = this.tracker(seriesKey);
    const out: AnomalyEvent[] = [];
    for (let i = 0; i < timestamps.length; i++) {
      const transitions = tracker.push({
        t: timestamps[i],
        score: scores[i],
        value: values ? values[i] : Number.NaN,
        expected: expected ? expected[i] : Number.NaN,
      });
      for (const tr of transitions) if (tr.type === 'close') out.push(tr.event);
    }
    for (const tr of tracker.flush()) if (tr.type === 'close') out.push(tr.event);
    return out;
  }
}

const NONE = Object.freeze([]) as unknown as AlertTransition[];

/**
 * What an {@link AlertTracker} remembers between points, JSON-serializable (a time that is not finite, and a NaN
 * value, travel as null): saved with a series so a restored tracker continues the event in progress, its cooldown
 * and its clock instead of closing and reopening them.
 */
export interface AlertTrackerState {
  /** Time of the last point taken, ms (null: none yet). */
  readonly lastT: number | null;
  /** End of the cooldown after the last event, ms (null: none). */
  readonly quietUntil: number | null;
  readonly suppressed: number;
  /** The run of anomalous points in progress; `opened` once it qualified as an event (and was announced). */
  readonly run: {
    readonly start: number;
    readonly end: number;
    readonly points: number;
    readonly peakScore: number;
    readonly peakTime: number;
    readonly observed: number | null;
    readonly expected: number | null;
    readonly opened: boolean;
  } | null;
}

const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);
const numberOr = (x: unknown, otherwise: number) =>
  typeof x === 'number' && Number.isFinite(x) ? x : otherwise;

/**
 * Streaming event builder for one series (see {@link AlertPolicy.tracker}). Points with a NaN score or a timestamp
 * not after the previous one are ignored.
 */
export class AlertTracker {
  readonly seriesKey: string;
  readonly #policy: AlertPolicy;
  #run: Run | null = null;
  #lastT = Number.NEGATIVE_INFINITY;
  #quietUntil = Number.NEGATIVE_INFINITY;
  /** Qualifying events dropped because they started inside a cooldown. */
  suppressed = 0;

  constructor(policy: AlertPolicy, seriesKey: string) {
    this.#policy = policy;
    this.seriesKey = seriesKey;
  }

  /**
   * Feeds one scored point; returns the transitions it causes (usually none: then one shared, frozen empty array,
   * so that the streaming hot path allocates nothing).
   */
  push(p: ScoredPoint): AlertTransition[] {
    if (!(p.t > this.#lastT) || Number.isNaN(p.score)) return NONE;
    this.#lastT = p.t;
    const policy = this.#policy;
    const run = this.#run;
    if (!run && p.score < policy.threshold) return NONE;
    const out: AlertTransition[] = [];
    if (p.score >= policy.threshold) {
      const r = this.#run ?? this.#start(p);
      r.end = p.t;
      r.points++;
      if (p.score > r.peakScore) {
        r.peakScore = p.score;
        r.peakTime = p.t;
        r.observed = p.value ?? Number.NaN;
        r.expected = p.expected ?? Number.NaN;
      }
      if (!r.opened && this.#qualifies(r) && r.start >= this.#quietUntil) {
        r.opened = true;
        out.push({ type: 'open', event: this.#event(r) });
      }
    } else if (run && p.t - run.end > policy.maxGap) {
      this.#close(out);
    }
    return out;
  }

  /** Closes the event in progress, if any (call at the end of a batch or before shutdown). */
  flush(): AlertTransition[] {
    const out: AlertTransition[] = [];
    if (this.#run) this.#close(out);
    return out;
  }

  /** The event in progress that has qualified, if any. */
  get open(): AnomalyEvent | null {
    return this.#run?.opened ? this.#event(this.#run) : null;
  }

  /** The tracker's state, to {@link restore} it elsewhere (e.g. where a series moves to). */
  toJSON(): AlertTrackerState {
    const r = this.#run;
    return {
      lastT: finiteOrNull(this.#lastT),
      quietUntil: finiteOrNull(this.#quietUntil),
      suppressed: this.suppressed,
      run: r && {
        start: r.start,
        end: r.end,
        points: r.points,
        peakScore: r.peakScore,
        peakTime: r.peakTime,
        observed: finiteOrNull(r.observed),
        expected: finiteOrNull(r.expected),
        opened: r.opened,
      },
    };
  }

  /**
   * Continues from a saved {@link toJSON} state: the next point is taken as it would have been by the tracker that
   * saved it. Fields of the wrong type fall back to a fresh tracker's (restoring never throws).
   */
  restore(state: AlertTrackerState): void {
    this.#lastT = numberOr(state?.lastT, Number.NEGATIVE_INFINITY);
    this.#quietUntil = numberOr(state?.quietUntil, Number.NEGATIVE_INFINITY);
    this.suppressed = numberOr(state?.suppressed, 0);
    const r = state?.run;
    this.#run =
      r && typeof r === 'object' && Number.isFinite(r.start) && Number.isFinite(r.end)
        ? {
            start: r.start,
            end: r.end,
            points: numberOr(r.points, 0),
            peakScore: numberOr(r.peakScore, Number.NEGATIVE_INFINITY),
            peakTime: numberOr(r.peakTime, r.start),
            observed: numberOr(r.observed, Number.NaN),
            expected: numberOr(r.expected, Number.NaN),
            opened: r.opened === true,
          }
        : null;
  }

  #start(p: ScoredPoint): Run {
    this.#run = {
      start: p.t,
      end: p.t,
      points: 0,
      peakScore: Number.NEGATIVE_INFINITY,
      peakTime: p.t,
      observed: Number.NaN,
      expected: Number.NaN,
      opened: false,
    };
    return this.#run;
  }

  #qualifies(r: Run): boolean {
    return r.points >= this.#policy.minPoints && r.end - r.start >= this.#policy.minDuration;
  }

  #close(out: AlertTransition[]): void {
    const r = this.#run;
    this.#run = null;
    if (!r || !this.#qualifies(r)) return;
    if (r.start < this.#quietUntil) {
      this.suppressed++;
      return;
    }
    out.push({ type: 'close', event: this.#event(r) });
    this.#quietUntil = r.end + this.#policy.cooldown;
  }

  #event(r: Run): AnomalyEvent {
    return {
      seriesKey: this.seriesKey,
      start: r.start,
      end: r.end,
      points: r.points,
      peakScore: r.peakScore,
      peakTime: r.peakTime,
      severity: this.#policy.severityOf(r.peakScore),
      observed: r.observed,
      expected: r.expected,
    };
  }
}
