import {
  type Detector,
  type DetectorSnapshot,
  type FitOptions,
  type PointScore,
  type Scores,
  type SeriesLike,
  StreamGuard,
  throwIfAborted,
  toSeries,
  VigilInputError,
  yieldAndCheck,
} from '@vigil/core';
import { collectScores } from '../common/collect-scores.js';
import { RollingWindow } from '../statistical/rolling-window.js';
import { medianInPlace } from '../statistical/select.js';
import { decodeFloat64, encodeFloat64 } from '../stats/float64-base64.js';
import { DAY_MS, detectPeriod, findCycle, periodAtStep, typicalStep } from './detect-period.js';
import { EventGate } from './event-gate.js';
import { LocalMean } from './local-mean.js';
import {
  type AdaptiveEnsembleOptions,
  type ResolvedAdaptiveEnsembleOptions,
  resolveAdaptiveOptions,
} from './options.js';
import {
  MIN_DISTRIBUTION_SIZE,
  RecentDistribution,
  type RecentDistributionState,
} from './recent-distribution.js';
import { SeasonalReference } from './seasonal-reference.js';

/** Snapshot format version of {@link AdaptiveEnsemble} (the `'ensemble'` kind's version 1 is {@link EnsembleDetector}). */
export const ADAPTIVE_ENSEMBLE_VERSION = 2;

/** Longest cycle, in steps, a fitted detector still looks for in its own history (fit looks up to MAX_CYCLE_LAG). */
const GROWN_CYCLE_LAG = 256;

/** Points `fit` learns between progress reports and abort checks. */
export const FIT_CHUNK = 65_536;

/** A recent distribution in a snapshot, its values as float64 base64. */
interface DistributionSnapshot {
  readonly values: string;
  readonly sinceRefresh: number;
}

/** State of a fitted {@link AdaptiveEnsemble} in its snapshot. */
export interface AdaptiveEnsembleState {
  /** The seasonal period in ms, or null without a seasonal view. */
  readonly period: number | null;
  /** Typical sampling interval of the training data, ms (sets the seasonal lookup tolerance). */
  readonly step: number;
  readonly level: DistributionSnapshot;
  readonly localMean: DistributionSnapshot;
  readonly seasonal: DistributionSnapshot | null;
  /** The last localWindow − 1 values, float64 base64. */
  readonly recent: string;
  /** The jump view's distribution (absent in snapshots written before it existed). */
  readonly jump?: DistributionSnapshot;
  /** The last jumpWindow deseasonalised values the jump view measures from, float64 base64. */
  readonly jumpBase?: string;
  /** Points in a row kept out of that base because the jump view alarmed on them. */
  readonly jumpHeld?: number;
  /** The stillness view's distribution (absent in snapshots written before it existed). */
  readonly stillness?: DistributionSnapshot;
  /** The last localWindow − 1 absolute changes between successive values, float64 base64. */
  readonly changes?: string;
  /** The last value learnt (for the next change), or null. */
  readonly lastValue?: number | null;
  /** The seasonal reference history, float64 base64 timestamps and values. */
  readonly reference: { readonly timestamps: string; readonly values: string } | null;
  /** Points since the last one at or above the threshold; null before any. */
  readonly sinceAbove: number | null;
  /** Points learnt since the cycle was last looked for (with `seasonality: 'auto'` and none found yet). */
  readonly sinceCycleCheck: number;
  readonly lastTimestamp: number | null;
}

interface Model {
  period: number | null;
  step: number;
  level: RecentDistribution;
  localMean: RecentDistribution;
  seasonal: RecentDistribution | null;
  recent: LocalMean;
  jump: RecentDistribution;
  jumpBase: RollingWindow;
  jumpScratch: Float64Array;
  /** Points the jump view measures from (0: the view is off). */
  jumpWindow: number;
  /** Points in a row kept out of the jump view's base because it alarmed on them. */
  jumpHeld: number;
  /** The stillness view (null when off) and the recent absolute changes it averages. */
  stillness: RecentDistribution | null;
  changes: LocalMean;
  lastValue: number;
  reference: SeasonalReference | null;
  gate: EventGate;
  guard: StreamGuard;
  sinceCycleCheck: number;
  /** Band of the view that draws it, as of that view's distribution's `refreshes` count `bandAt`. */
  band: [number, number];
  bandAt: number;
  /** The value view's own alarm band (what the local mean clips a point to), as of refresh `clipAt`. */
  clip: [number, number];
  clipAt: number;
  /** Surprise at which one view alone alarms: −log10((1 − threshold) / views). */
  alarmSurprise: number;
}

/**
 * Vigil's default detector: how far beyond its own recent history a point is, seen up to five ways, with one threshold
 * that means the same on every series.
 *
 * Views: the value itself (spikes, dips, new levels); the mean of the last `localWindow` points (sustained shifts,
 * bursts, changes of rate in sparse series); the jump — the value's distance from the median of the last
 * `jumpWindow` values, deseasonalised when there is a cycle (a spike inside the normal range, against whatever slow
 * structure surrounds it: a weekend's lower cycle, a drifting level); the stillness — the mean absolute change between
 * successive values over the last `localWindow` points, judged on its low side (a sensor or exporter stuck on an
 * ordinary value); and, when the training data shows a cycle — the day or the week, else any lag whose
 * autocorrelation clearly peaks (`findCycle`) — the residual from the same phase of the previous cycles (contextual
 * anomalies: a missing peak, a flat stretch, a cycle of the wrong height). Each view keeps the recent distribution of
 * its values (`RecentDistribution`: the last `memory` points) and rates a point by its two-sided tail probability
 * there (the stillness, its low tail) — rare by count among what really happened, and far by spread. The point's p is the smallest view p times the number of views (Bonferroni), and
 * `score = 1 − p`, so alerting at `1 − α` means the same on a count series, a latency series and after a regime
 * change.
 *
 * Adaptation is continuous: every point is learnt, so a new level becomes part of the recent distribution as it
 * persists and stops alarming once values like it have been seen (Vigil measured that withholding flagged points
 * from learning, or resetting the memory after a shift, both cost accuracy on real data). One event, one alarm:
 * `isAnomaly` is true only for the first point at or above the threshold; later ones (their `score` still the honest
 * 1 − p, so an alert policy sees the event's whole extent) stay silent until `quietPoints` points in a row have been
 * below it.
 *
 * The local mean's and the stillness' spreads are widened by their own uncertainty: overlapping windows are strongly
 * correlated, so n of them hold only about n / localWindow independent values, and a standard deviation estimated from
 * few of them is often too small — after a short training, runs of ordinary noise then read as shifts. These views use
 * the upper one-sigma bound of that estimate, sd · (1 + 1/√(2 · n / localWindow)), which fades as the history grows
 * (measured on i.i.d. noise after 140 training points: false alarms in the first 300 points 1.5 → 0.3 per 1000 on
 * uniform noise, 2.0 → 1.0 on normal noise, before the jump and stillness views; 0.1 and 0.8 with them).
 *
 * `update` does bounded work per point (each view merges its new values into its sorted window every
 * `refreshEvery` points) and never refits.
 *
 * Measured on NAB (`bench/nab`, `bench/results/nab-dev.json`): see the package README.
 *
 * @throws {VigilInputError} `INVALID_OPTION` for bad options.
 * @example
 * const d = createDetector('ensemble');   // this detector, with the defaults measured in bench/nab
 * await d.fit(firstDay);
 * const p = d.update(Date.now(), 0.93);     // { score, isAnomaly, expected, lower, upper, raw }
 */
export class AdaptiveEnsemble implements Detector<SeriesLike> {
  readonly kind = 'ensemble';
  readonly options: ResolvedAdaptiveEnsembleOptions;
  #model: Model | null = null;

  constructor(options: AdaptiveEnsembleOptions | ResolvedAdaptiveEnsembleOptions = {}) {
    this.options = resolveAdaptiveOptions(options);
  }

  get threshold(): number {
    return this.options.threshold;
  }

  get fitted(): boolean {
    return this.#model !== null;
  }

  /** The seasonal period found or given (ms), or null; undefined before fitting. */
  get period(): number | null | undefined {
    return this.#model?.period;
  }

  /** Counts of scored, missing and dropped streamed points. */
  get counters() {
    return { ...(this.#model?.guard.counters ?? { scored: 0, missing: 0, dropped: 0 }) };
  }

  /**
   * Learns the series' recent behaviour from `train` (and its cycle, with `seasonality: 'auto'`). Every
   * 65 536 points (`FIT_CHUNK`) it reports through `options.onProgress`, yields to the event loop and checks
   * `options.signal`.
   * @throws {VigilInputError} input errors from `toSeries`.
   * @throws {VigilAbortError} `ABORTED` when `options.signal` fired. Either way the detector keeps its previous state.
   */
  async fit(train: SeriesLike, options: FitOptions = {}): Promise<void> {
    const { signal, onProgress } = options;
    throwIfAborted(signal, 'ensemble fit');
    const s = toSeries(train, 'training series');
    const o = this.options;
    const step = typicalStep(s.timestamps);
    let period =
      typeof o.seasonality === 'number'
        ? o.seasonality
        : o.seasonality === 'auto'
          ? detectPeriod(s.timestamps, s.values, undefined, o.minAutocorrelation)
          : null;
    if (period === null && o.seasonality === 'auto' && Number.isFinite(step) && step > 0) {
      // Not the day or the week: any cycle that clearly repeats, in steps (timestamps may be sample numbers).
      const lag = findCycle(s.values);
      if (lag !== null) period = lag * step;
    }
    const model = this.#newModel(period, Number.isFinite(step) && step > 0 ? step : 1);
    const n = s.values.length;
    const report = (done: number, message: string) =>
      onProgress?.({
        kind: this.kind,
        phase: done < n ? 'learn' : 'done',
        done,
        total: n,
        fraction: done / n,
        message,
      });
    for (let i = 0; i < n; i++) {
      if (i > 0 && i % FIT_CHUNK === 0) {
        report(i, `learnt ${i} of ${n} points`);
        await yieldAndCheck(signal, 'ensemble fit');
      }
      const x = s.values[i];
      if (!Number.isNaN(x)) learn(model, s.timestamps[i], x);
    }
    model.guard = new StreamGuard(this.kind, s.timestamps[s.timestamps.length - 1]);
    this.#model = model;
    report(n, `learnt ${n} points${period === null ? '' : `, cycle ${period} ms`}`);
  }

  /**
   * Scores `data` as the continuation of the training data (or of the last streamed point), learning as it goes on
   * a copy: the detector itself does not change.
   * @throws {VigilInputError} input errors from `toSeries`, or `NOT_FITTED`.
   */
  async score(data: SeriesLike): Promise<Scores> {
    this.#requireFitted();
    const s = toSeries(data, 'series', { duplicates: 'keep' });
    const copy = AdaptiveEnsemble.fromJSON(this.toJSON());
    return collectScores(s.values.length, (i) => copy.update(s.timestamps[i], s.values[i]));
  }

  /**
   * Streaming: scores the point, then learns it. Bad points are dropped and counted, never thrown.
   * @throws {VigilInputError} `NOT_FITTED` only.
   */
  update(t: number, x: number | ArrayLike<number>): PointScore {
    const m = this.#requireFitted();
    const verdict = m.guard.admit(t, x);
    if (verdict === 'dropped') return { t, score: 0, isAnomaly: false, status: 'dropped' };
    const value = typeof x === 'number' ? x : x[0];
    const expected = m.reference ? m.reference.expected(t) : m.level.mean;
    const [lower, upper] = this.#band(m, expected);
    if (verdict === 'missing')
      return { t, score: 0, isAnomaly: false, status: 'missing', expected, lower, upper };
    if (m.level.size < MIN_DISTRIBUTION_SIZE) {
      learn(m, t, value);
      return { t, score: 0, isAnomaly: false, status: 'warmup' };
    }
    let views = 2;
    const levelSurprise = m.level.surprise(value);
    let surprise = levelSurprise;
    const forMean = explained(m, value, levelSurprise);
    const localMean = m.recent.ready ? m.recent.with(forMean) : Number.NaN;
    if (!Number.isNaN(localMean)) {
      surprise = Math.max(
        surprise,
        m.localMean.surprise(localMean, windowedSd(m.localMean, this.options.localWindow)),
      );
    }
    // A view counts in the correction once it can judge (a grown seasonal view waits for a cycle of residuals).
    if (m.seasonal && m.seasonal.size >= MIN_DISTRIBUTION_SIZE) {
      views++;
      if (!Number.isNaN(expected)) surprise = Math.max(surprise, m.seasonal.surprise(value - expected));
    }
    const jump = jumpOf(m, value, expected);
    const jumpSurprise = jumpSurpriseOf(m, jump);
    if (m.jump.size >= MIN_DISTRIBUTION_SIZE) {
      views++;
      surprise = Math.max(surprise, jumpSurprise);
    }
    const stillness = stillnessOf(m, value);
    if (m.stillness && m.stillness.size >= MIN_DISTRIBUTION_SIZE) {
      views++;
      // Judged on its low side only: more movement than usual is the other views' to see.
      if (stillness < m.stillness.mean) {
        surprise = Math.max(
          surprise,
          m.stillness.surprise(stillness, windowedSd(m.stillness, this.options.localWindow)),
        );
      }
    }
    // Bonferroni over the views: p = min(1, views · min p).
    const raw = Math.max(0, surprise - Math.log10(views));
    const score = 1 - 10 ** -raw;
    const opens = m.gate.admit(score >= this.options.threshold);
    learn(m, t, value, { forMean, localMean, expected, jump, jumpSurprise, stillness });
    if (this.options.seasonality === 'auto' && !m.reference && ++m.sinceCycleCheck >= DAY_MS / m.step) {
      this.#lookForCycle(m);
    }
    return { t, score, isAnomaly: opens, status: 'scored', expected, lower, upper, raw };
  }

  toJSON(): DetectorSnapshot<ResolvedAdaptiveEnsembleOptions, AdaptiveEnsembleState> {
    const m = this.#requireFitted();
    const lastT = m.guard.lastTimestamp;
    const reference = m.reference?.toJSON();
    return {
      kind: this.kind,
      version: ADAPTIVE_ENSEMBLE_VERSION,
      options: { ...this.options },
      state: {
        period: m.period,
        step: m.step,
        level: distributionToJSON(m.level),
        localMean: distributionToJSON(m.localMean),
        seasonal: m.seasonal ? distributionToJSON(m.seasonal) : null,
        recent: encodeFloat64(m.recent.toArray()),
        jump: distributionToJSON(m.jump),
        jumpBase: encodeFloat64(m.jumpBase.toArray()),
        jumpHeld: m.jumpHeld,
        ...(m.stillness
          ? {
              stillness: distributionToJSON(m.stillness),
              changes: encodeFloat64(m.changes.toArray()),
              lastValue: Number.isFinite(m.lastValue) ? m.lastValue : null,
            }
          : {}),
        reference: reference
          ? { timestamps: encodeFloat64(reference.timestamps), values: encodeFloat64(reference.values) }
          : null,
        sinceAbove: Number.isFinite(m.gate.sinceAbove) ? m.gate.sinceAbove : null,
        sinceCycleCheck: m.sinceCycleCheck,
        lastTimestamp: Number.isFinite(lastT) ? lastT : null,
      },
    };
  }

  /**
   * Restores a detector from {@link toJSON}'s snapshot; it scores bit-identically to the original.
   * @throws {VigilInputError} `INVALID_SNAPSHOT` when the state is malformed, `INVALID_OPTION` for bad options.
   */
  static fromJSON(snapshot: DetectorSnapshot): AdaptiveEnsemble {
    const s = snapshot as DetectorSnapshot<ResolvedAdaptiveEnsembleOptions, AdaptiveEnsembleState>;
    const st = s.state;
    const d = new AdaptiveEnsemble(s.options ?? {});
    try {
      if (!st || typeof st !== 'object' || !st.level || !st.localMean || typeof st.recent !== 'string') {
        throw snapshotError('state.level, state.localMean and state.recent are required', 'state');
      }
      const period = st.period === null ? null : checkPositive(st.period, 'state.period');
      const step = checkPositive(st.step, 'state.step');
      if (period !== null && (!st.seasonal || !st.reference)) {
        throw snapshotError('a seasonal period needs state.seasonal and state.reference', 'state.seasonal');
      }
      if (
        st.sinceCycleCheck !== undefined &&
        !(Number.isInteger(st.sinceCycleCheck) && st.sinceCycleCheck >= 0)
      ) {
        throw snapshotError('state.sinceCycleCheck must be an integer >= 0', 'state.sinceCycleCheck');
      }
      const m = d.#newModel(period, step, st);
      m.gate = new EventGate(d.options.quietPoints, st.sinceAbove ?? Number.POSITIVE_INFINITY);
      m.guard = new StreamGuard(d.kind, st.lastTimestamp ?? Number.NEGATIVE_INFINITY);
      d.#model = m;
    } catch (e) {
      // Every check above throws a VigilInputError naming its field; anything else (a RangeError from a
      // mis-sized buffer) is still malformed state, so it is reported the same way.
      throw new VigilInputError(
        'INVALID_SNAPSHOT',
        `Malformed ensemble (version 2) snapshot: ${(e as Error).message}. Restore only what toJSON() wrote.`,
        { field: e instanceof VigilInputError ? e.field : 'state', cause: e },
      );
    }
    return d;
  }

  #newModel(period: number | null, step: number, st?: AdaptiveEnsembleState): Model {
    const o = this.options;
    const dist = (saved: DistributionSnapshot | null | undefined) =>
      new RecentDistribution(o.memory, o.refreshEvery, saved ? distributionFromJSON(saved) : undefined);
    let reference: SeasonalReference | null = null;
    if (period !== null) {
      // Enough history for `cycles` periods at the typical step, with room for jitter; bounded for tiny steps.
      const capacity = Math.min(Math.ceil((o.cycles * period) / step) + 16, 4 * o.memory);
      const saved = st?.reference;
      reference = new SeasonalReference(
        period,
        o.cycles,
        0.6 * step,
        capacity,
        saved
          ? {
              timestamps: Array.from(decodeFloat64(saved.timestamps)),
              values: Array.from(decodeFloat64(saved.values)),
            }
          : undefined,
      );
    }
    return {
      period,
      step,
      level: dist(st?.level),
      localMean: dist(st?.localMean),
      seasonal: period !== null ? dist(st?.seasonal) : null,
      recent: new LocalMean(o.localWindow, st ? decodeFloat64(st.recent) : []),
      jump: dist(st?.jump),
      jumpBase: new RollingWindow(Math.max(1, o.jumpWindow), st?.jumpBase ? decodeFloat64(st.jumpBase) : []),
      jumpScratch: new Float64Array(Math.max(1, o.jumpWindow)),
      jumpWindow: o.jumpWindow,
      jumpHeld: typeof st?.jumpHeld === 'number' && st.jumpHeld >= 0 ? st.jumpHeld : 0,
      stillness: o.stillness ? dist(st?.stillness) : null,
      changes: new LocalMean(o.localWindow, st?.changes ? decodeFloat64(st.changes) : []),
      lastValue: typeof st?.lastValue === 'number' ? st.lastValue : Number.NaN,
      reference,
      gate: new EventGate(o.quietPoints),
      guard: new StreamGuard(this.kind),
      sinceCycleCheck: st?.sinceCycleCheck ?? 0,
      band: [Number.NaN, Number.NaN],
      bandAt: -1,
      clip: [Number.NaN, Number.NaN],
      clipAt: -1,
      alarmSurprise: -Math.log10((1 - o.threshold) / viewCount(o, period !== null)),
    };
  }

  /**
   * The alarm band around `expected`: the values whose view surprise stays below the threshold's. A function of the
   * drawing view's distribution only, so it is recomputed when that distribution refreshes.
   */
  #band(m: Model, expected: number): [number, number] {
    const view = m.seasonal ?? m.level;
    if (m.bandAt !== view.refreshes) {
      const surprise = -Math.log10(
        (1 - this.options.threshold) / viewCount(this.options, m.seasonal !== null),
      );
      m.band = view.band(surprise);
      m.bandAt = view.refreshes;
    }
    return m.seasonal ? [expected + m.band[0], expected + m.band[1]] : m.band;
  }

  /**
   * A detector fitted on less than two cycles (a Pipeline fits after one day) looks for its cycle in its own
   * history once a day's worth of points, and grows a seasonal view when it finds one; the view judges nothing until
   * a cycle of its own observations has passed.
   */
  #lookForCycle(m: Model): void {
    m.sinceCycleCheck = 0;
    const values = m.level.toJSON().values;
    const daily = periodAtStep(
      values,
      m.step,
      values.length * m.step,
      undefined,
      this.options.minAutocorrelation,
    );
    // A shorter search than fit's: it runs once a day's worth of points, and the day itself is periodAtStep's.
    const lag = daily === null ? findCycle(values, GROWN_CYCLE_LAG) : null;
    const period = daily ?? (lag === null ? null : lag * m.step);
    if (period === null) return;
    const grown = this.#newModel(period, m.step);
    m.period = period;
    m.reference = grown.reference;
    m.seasonal = grown.seasonal;
    // The jump view measures from the deseasonalised value from now on: what it learnt of raw jumps no longer applies.
    m.jump = grown.jump;
    m.jumpBase = grown.jumpBase;
    m.jumpHeld = 0;
    m.alarmSurprise = grown.alarmSurprise;
    m.bandAt = -1;
  }

  #requireFitted(): Model {
    if (!this.#model) {
      throw new VigilInputError('NOT_FITTED', 'ensemble: call fit(train) (or loadDetector) before scoring.');
    }
    return this.#model;
  }
}

/**
 * Spread a view of overlapping windows (the local mean, the stillness) judges with: its distribution's standard
 * deviation raised to the upper one-sigma bound of an estimate from n / localWindow independent values, so that a
 * short history of them does not understate it.
 */
function windowedSd(d: RecentDistribution, localWindow: number): number {
  const independent = Math.max(1, d.size / localWindow);
  return d.sd * (1 + 1 / Math.sqrt(2 * independent));
}

/** What the caller of {@link learn} already knows about the point (from scoring it). */
interface Known {
  /** The value the local mean takes for it (see {@link explained}). */
  readonly forMean: number;
  /** The local-mean view's value (NaN when the window was not ready). */
  readonly localMean: number;
  /** The seasonal expectation (NaN without one). */
  readonly expected: number;
  /** The jump view's value (NaN when it cannot judge the point) and its surprise (0 then). */
  readonly jump: number;
  readonly jumpSurprise: number;
  /** The stillness view's value (NaN when it cannot judge the point). */
  readonly stillness: number;
}

/** Views of a model: value, local mean, jump and stillness when on, the seasonal view with a cycle. */
function viewCount(o: ResolvedAdaptiveEnsembleOptions, seasonal: boolean): number {
  return 2 + (o.jumpWindow > 0 ? 1 : 0) + (o.stillness ? 1 : 0) + (seasonal ? 1 : 0);
}

/** The value the jump view judges from: the residual from the seasonal expectation with a cycle, else the value. */
function deseasonalised(m: Model, x: number, expected: number): number {
  return m.reference ? x - expected : x;
}

/**
 * The stillness view's value for a point: the mean absolute change between successive values over the last
 * `localWindow` points, this one's included. Near zero when a sensor or an exporter is stuck on one value (a flat line
 * the other views find unremarkable, since the value itself is ordinary). NaN until the window is full.
 */
function stillnessOf(m: Model, x: number): number {
  if (!m.stillness || Number.isNaN(m.lastValue) || !m.changes.ready) return Number.NaN;
  return m.changes.with(Math.abs(x - m.lastValue));
}

/** The jump view's surprise at `jump` (0 when it cannot judge yet). */
function jumpSurpriseOf(m: Model, jump: number): number {
  return m.jump.size >= MIN_DISTRIBUTION_SIZE && !Number.isNaN(jump) ? m.jump.surprise(jump) : 0;
}

/**
 * The jump view's value for a point: how far its deseasonalised value lies from the median of the last `jumpWindow`
 * ones — a sudden move against the immediate past, whatever the slow structure around it (a weekend's lower cycle,
 * a level the series has drifted to). NaN while the view is off, until the window is full, or when the seasonal
 * expectation is missing.
 */
function jumpOf(m: Model, x: number, expected: number): number {
  if (m.jumpWindow === 0) return Number.NaN;
  const d = deseasonalised(m, x, expected);
  if (Number.isNaN(d) || m.jumpBase.size < m.jumpBase.capacity) return Number.NaN;
  const n = m.jumpBase.copyTo(m.jumpScratch);
  return d - medianInPlace(m.jumpScratch, n);
}

/**
 * The value the local-mean view takes for a point: the point itself, or — when the value view alone already finds
 * it extreme — its value clipped to the value view's alarm band. A spike is reported by the value view; explained
 * away, it does not keep the mean of the next `localWindow` points raised (and the event open) after it has passed,
 * while a sustained shift of individually unremarkable points still moves the mean.
 */
function explained(m: Model, x: number, levelSurprise: number): number {
  if (levelSurprise < m.alarmSurprise) return x;
  if (m.clipAt !== m.level.refreshes) {
    m.clip = m.level.band(m.alarmSurprise);
    m.clipAt = m.level.refreshes;
  }
  return Math.min(m.clip[1], Math.max(m.clip[0], x));
}

/** Learns one observed point in every view (working out what `known` does not say). */
function learn(m: Model, t: number, x: number, known?: Known): void {
  const forMean = known ? known.forMean : explained(m, x, m.level.surprise(x));
  m.level.push(x);
  if (m.recent.ready) {
    m.localMean.push(known && !Number.isNaN(known.localMean) ? known.localMean : m.recent.with(forMean));
  }
  m.recent.push(forMean);
  const e = known ? known.expected : m.reference ? m.reference.expected(t) : Number.NaN;
  if (m.jumpWindow > 0) {
    const jump = known ? known.jump : jumpOf(m, x, e);
    const extreme = (known ? known.jumpSurprise : jumpSurpriseOf(m, jump)) >= m.alarmSurprise;
    if (!Number.isNaN(jump)) m.jump.push(jump);
    // A point the jump view alone alarms on stays out of the base it measures from, for up to jumpWindow points in a
    // row: the return from a short spike is then no jump of its own (it would lengthen the event), while after a
    // lasting shift the base follows the new level once the window's worth of points has passed.
    if (extreme && m.jumpHeld < m.jumpWindow) {
      m.jumpHeld++;
    } else {
      if (!extreme) m.jumpHeld = 0;
      const d = deseasonalised(m, x, e);
      if (!Number.isNaN(d)) m.jumpBase.push(d);
    }
  }
  if (m.stillness) {
    const still = known ? known.stillness : stillnessOf(m, x);
    if (!Number.isNaN(still)) m.stillness.push(still);
    if (!Number.isNaN(m.lastValue)) m.changes.push(Math.abs(x - m.lastValue));
    m.lastValue = x;
  }
  if (m.reference && m.seasonal) {
    if (!Number.isNaN(e)) m.seasonal.push(x - e);
    m.reference.push(t, x);
  }
}

function snapshotError(message: string, field: string): VigilInputError {
  return new VigilInputError('INVALID_SNAPSHOT', message, field);
}

function checkPositive(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
    throw snapshotError(`${field} must be a number > 0`, field);
  return v;
}

function distributionToJSON(d: RecentDistribution): DistributionSnapshot {
  const s = d.toJSON();
  return { values: encodeFloat64(s.values), sinceRefresh: s.sinceRefresh };
}

function distributionFromJSON(s: DistributionSnapshot): RecentDistributionState {
  if (typeof s.values !== 'string')
    throw snapshotError('distribution values must be a base64 string', 'state.distribution');
  const values = Array.from(decodeFloat64(s.values));
  if (values.some((v) => !Number.isFinite(v)))
    throw snapshotError('distribution values must be finite', 'state.distribution');
  return { values, sinceRefresh: s.sinceRefresh };
}
