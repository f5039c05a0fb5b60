import { diag } from '@opentelemetry/api';
import type { AnomalyEvent } from '../alerting/alert-policy.js';
import type { Detector, DetectorSnapshot, PointScore } from '../detector/detector.js';
import type { FitOptions } from '../detector/fit-options.js';
import { loadDetector } from '../detector/registry.js';
import { VigilError, VigilInputError } from '../errors.js';
import { rankRootCauses } from '../rca/rank-root-causes.js';
import { Topology } from '../rca/topology.js';
import type { SeriesLike } from '../series/series.js';
import { type DetectorFactoryModule, type DetectorSpec, loadFactoryModule } from './fit-messages.js';
import { FitPool } from './fit-pool.js';
import { type Incident, IncidentGrouper } from './incidents.js';
import { lruVictims } from './lru-victims.js';
import { type OtlpMetricsRequest, OtlpTranslator } from './otlp.js';
import {
  type PipelineOptions,
  type ResolvedPipelineOptions,
  resolvePipelineOptions,
} from './pipeline-options.js';
import {
  PIPELINE_SNAPSHOT_VERSION,
  type PipelineSnapshot,
  type SeriesSnapshot,
} from './pipeline-snapshot.js';
import type { PipelineStats } from './pipeline-stats.js';
import { SeriesState } from './series-state.js';
import { StreamClock } from './stream-clock.js';
import { TurnClock } from './turn-clock.js';

export type { PipelineDetectors, PipelineOptions } from './pipeline-options.js';
export type { PipelineStats } from './pipeline-stats.js';

/** Wall-time period of the pipeline's housekeeping: incident clock, idle eviction. */
const TICK_MS = 1000;

/** Longest stretch, ms, of replaying the points that arrived during a fit into the new model before yielding. */
const REPLAY_SLICE_MS = 2;
/** Most series a housekeeping tick checks for idleness (see `sweep`). */
const IDLE_CHECKS_PER_TICK = 10_000;
/** Most points copied out of the history per replay slice. */
const REPLAY_CHUNK = 4096;

/**
 * The closed loop inside a service: keyed points in (from the app, eBPF probes or OTLP), one streaming detector per
 * series (fitted after a warm-up, refitted when due), alert events, incidents grouping events that start together,
 * and OpenTelemetry output.
 *
 * `push` never throws on data and never waits for a fit: fits and refits run in a worker-thread pool (with
 * `detectors`; `createDetector` fits on this thread) and the new model is swapped in when ready. Memory is bounded:
 * each series keeps at most `history` points in typed ring buffers, at most `maxSeries` series are tracked (least
 * recently updated evicted first), `maxSeriesPerMetric` caps each metric's cardinality and idle series are evicted.
 * A point dated more than `maxFuture` ahead of the wall clock is refused (`FUTURE_TIMESTAMP`); each series keeps
 * its own clock; incidents close on wall time (a stream clock that follows the wall clock, pushed forward by data
 * running ahead of it). A detector that throws or scores outside [0, 1] is quarantined (counted; the series is
 * refitted later) and other series go on scoring; a fit past `fitTimeout` is abandoned. Everything refused or evicted is counted in {@link stats}.
 *
 * @throws {VigilInputError} `INVALID_OPTION` for bad options (at construction).
 * @example
 * const pipeline = new Pipeline({
 *   detectors: { module: '@vigil/detectors', spec: { kind: 'ensemble' } },
 *   onIncident: (incident, change) => page(incident, change),
 * });
 * pipeline.push('checkout/latency', Date.now(), 182);
 */
export class Pipeline {
  readonly #o: ResolvedPipelineOptions;
  readonly #series = new Map<string, SeriesState>();
  readonly #perMetric = new Map<string, number>();
  readonly #incidents: IncidentGrouper;
  readonly #clock: StreamClock;
  /** The wall clock of the hot path: the `now` option, or Date.now read once per event-loop turn. */
  readonly #wall: () => number;
  readonly #translator = new OtlpTranslator();
  readonly #fits = new Set<Promise<void>>();
  /**
   * Stops the fit in flight for a series (evicted or removed meanwhile, or the pipeline closed: fits on this thread
   * stop at their next check): kept only while it fits. One controller per fit, not a signal combined with a
   * pipeline-wide one: Node 20 keeps every combined signal (AbortSignal.any) referenced from its sources.
   */
  readonly #stopFit = new Map<SeriesState, AbortController>();
  readonly #options: PipelineOptions;
  readonly #stats: PipelineStats = {
    series: 0,
    quarantinedSeries: 0,
    queuedFits: 0,
    runningFits: 0,
    points: 0,
    scored: 0,
    dropped: 0,
    future: 0,
    overLimit: 0,
    evictedIdle: 0,
    evictedLru: 0,
    fits: 0,
    fitFailures: 0,
    fitTimeouts: 0,
    quarantined: 0,
    events: 0,
  };
  #pool: FitPool | undefined;
  #factory: Promise<DetectorFactoryModule> | undefined;
  #tick = 0;
  #lastSweep: number;
  /** Where the periodic idle check resumes (see {@link sweep}). */
  #sweepCursor: MapIterator<[string, SeriesState]> | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Calls inferred from client series keys. */
  readonly #inferred = new Topology();
  #merged: { sizes: string; topology: Topology | undefined } = { sizes: '', topology: undefined };

  constructor(options: PipelineOptions) {
    this.#o = resolvePipelineOptions(options);
    this.#options = options;
    // Ranking options are checked here, once, rather than failing on every incident.
    if (options.rootCause) rankRootCauses({ events: [] }, options.rootCause);
    this.#clock = new StreamClock(this.#o.now);
    if (typeof options.now === 'function') this.#wall = options.now;
    else {
      const turn = new TurnClock();
      this.#wall = () => turn.now();
    }
    this.#lastSweep = this.#o.now();
    const onIncident = options.onIncident;
    // Without a listener the grouper builds no incident views: grouping stays O(1) per event.
    this.#incidents = new IncidentGrouper(
      this.#o.incidentWindow,
      onIncident &&
        ((incident, change) => {
          try {
            onIncident(this.#ranked(incident), change);
          } catch (e) {
            diag.error(`vigil pipeline: onIncident threw: ${String(e)}`);
          }
        }),
    );
    options.otel?.observePipeline(() => this.stats);
    this.#timer = setInterval(() => this.#housekeep(this.#o.now(), IDLE_CHECKS_PER_TICK), TICK_MS);
    this.#timer.unref();
  }

  /** Counters so far (O(1): read it as often as needed). */
  get stats(): PipelineStats {
    return {
      ...this.#stats,
      series: this.#series.size,
      queuedFits: this.#pool ? this.#pool.queued : 0,
      runningFits: this.#fits.size - (this.#pool ? this.#pool.queued : 0),
    };
  }

  /**
   * True while more fits wait for a worker than `maxQueuedFits`: receivers answer 429/503 with `Retry-After` then,
   * so that senders slow down instead of the backlog growing without bound.
   */
  get overloaded(): boolean {
    return (this.#pool?.queued ?? 0) > this.#o.maxQueuedFits;
  }

  /** Incidents currently open. */
  get openIncidents(): Incident[] {
    return this.#incidents.openIncidents.map((i) => this.#ranked(i));
  }

  /** The call graph used for root-cause ranking: the `topology` option plus calls inferred from series keys. */
  get topology(): Topology | undefined {
    const user = this.#options.topology;
    const sizes = `${user?.size ?? 0}/${this.#inferred.size}`;
    if (this.#merged.sizes !== sizes) {
      const topology =
        user && this.#inferred.size > 0
          ? new Topology(user.edges()).merge(this.#inferred)
          : (user ?? (this.#inferred.size > 0 ? this.#inferred : undefined));
      this.#merged = { sizes, topology };
    }
    return this.#merged.topology;
  }

  /** The keys of the series tracked now. */
  seriesKeys(): string[] {
    return [...this.#series.keys()];
  }

  /** Bytes of the typed arrays holding every series' history now (a walk over the series: O(series)). */
  historyBytes(): number {
    let bytes = 0;
    for (const st of this.#series.values()) bytes += st.ring.bytes;
    return bytes;
  }

  /** The recent history of a series (the points kept for refits), or undefined for an unknown key. */
  history(seriesKey: string): { timestamps: readonly number[]; values: readonly number[] } | undefined {
    const st = this.#series.get(seriesKey);
    if (!st) return undefined;
    const h = st.ring.ordered();
    return { timestamps: Array.from(h.timestamps), values: Array.from(h.values) };
  }

  /**
   * Accepts one point of a series. Returns its score once the series' detector is fitted, `undefined` while it
   * warms up or when the point is refused (bad key, time or value, dated too far ahead, or a new series over its
   * metric's limit; counted in `stats`, and reported to `onReject` with a typed error for the last two).
   */
  push(seriesKey: string, t: number, value: number): PointScore | undefined {
    if (
      typeof seriesKey !== 'string' ||
      seriesKey === '' ||
      typeof t !== 'number' ||
      !Number.isFinite(t) ||
      typeof value !== 'number' ||
      value === Number.POSITIVE_INFINITY ||
      value === Number.NEGATIVE_INFINITY
    ) {
      this.#stats.dropped++;
      return undefined;
    }
    const wall = this.#wall();
    if (t > wall + this.#o.maxFuture) {
      this.#stats.future++;
      this.#refuse(
        'FUTURE_TIMESTAMP',
        `A point of '${seriesKey}' is dated ${new Date(t).toISOString()}, more than ${this.#o.maxFuture} ms after the wall clock; check the sender's clock, or raise maxFuture.`,
        seriesKey,
        t,
        value,
      );
      return undefined;
    }
    const st = this.#series.get(seriesKey) ?? this.#admit(seriesKey, t, value, wall);
    if (!st) return undefined;
    if (t <= st.lastT) {
      this.#stats.dropped++;
      return undefined;
    }
    st.lastT = t;
    st.seen = ++this.#tick;
    st.wall = wall;
    this.#stats.points++;
    st.ring.push(t, value);
    let result: PointScore | undefined;
    if (st.detector) result = this.#score(seriesKey, st, st.detector, t, value);
    st.sinceFit++;
    if (!st.fitting) {
      const d = st.detector;
      const due = d
        ? (this.#o.refitEvery > 0 && st.sinceFit >= this.#o.refitEvery) || d.needsRefit === true
        : st.quarantinedAt >= 0
          ? st.ring.total - st.quarantinedAt >= st.warmup
          : st.ring.size >= st.warmup;
      if (due) this.#startFit(seriesKey, st);
    }
    this.#incidents.advance(this.#clock.observe(t, wall));
    if (wall - this.#lastSweep >= TICK_MS) this.#housekeep(wall, IDLE_CHECKS_PER_TICK);
    return result;
  }

  /**
   * Accepts an OTLP/JSON `ExportMetricsServiceRequest` (object or text); returns how many points were accepted and
   * rejected, with `error` set (and nothing accepted) when the text is not JSON.
   */
  ingestOtlp(request: OtlpMetricsRequest | string): { accepted: number; rejected: number; error?: string } {
    let body: OtlpMetricsRequest;
    try {
      body = typeof request === 'string' ? (JSON.parse(request) as OtlpMetricsRequest) : request;
    } catch (e) {
      return { accepted: 0, rejected: 0, error: `not JSON: ${(e as Error).message}` };
    }
    const skippedBefore = this.#translator.skipped;
    let accepted = 0;
    let rejected = 0;
    for (const p of this.#translator.translate(body)) {
      const before = this.#stats.dropped;
      this.push(p.key, p.t, p.value);
      if (this.#stats.dropped > before) rejected++;
      else accepted++;
    }
    return { accepted, rejected: rejected + this.#translator.skipped - skippedBefore };
  }

  /**
   * Housekeeping the pipeline runs every second by itself (call it to run it now, e.g. with a test clock): advances
   * the incident clock to wall time, closing incidents quiet for the window, and evicts idle series. Called, it
   * checks every series; the pipeline's own ticks check at most 10 000 series each, resuming where the last stopped,
   * so that a tick stays short however many series there are (each is checked at least every size / 10 000 s).
   */
  sweep(wall = this.#o.now()): void {
    this.#housekeep(wall, Number.POSITIVE_INFINITY);
  }

  #housekeep(wall: number, budget: number): void {
    this.#lastSweep = wall;
    this.#incidents.advance(this.#clock.now(wall));
    const idle = this.#o.idleTimeout;
    if (idle <= 0) return;
    const victims: string[] = [];
    if (budget >= this.#series.size) {
      this.#sweepCursor = undefined;
      for (const [key, st] of this.#series) if (wall - st.wall > idle && !st.fitting) victims.push(key);
    } else {
      // A Map iterator stays valid while entries are added and deleted: it resumes at the next one.
      this.#sweepCursor ??= this.#series.entries();
      for (let checked = 0; checked < budget; checked++) {
        const next = this.#sweepCursor.next();
        if (next.done) {
          this.#sweepCursor = undefined;
          break;
        }
        const [key, st] = next.value;
        if (wall - st.wall > idle && !st.fitting) victims.push(key);
      }
    }
    for (const key of victims) this.#evict(key);
    this.#stats.evictedIdle += victims.length;
  }

  /** Resolves when no fit is running or queued (useful after a burst of points, and in tests). */
  async idle(): Promise<void> {
    while (this.#fits.size > 0) await Promise.all([...this.#fits]);
  }

  /** Closes open events and incidents (call at shutdown or at the end of a replay). */
  async flush(): Promise<void> {
    await this.idle();
    for (const [, st] of this.#series)
      for (const tr of st.tracker?.flush() ?? []) this.#transition(tr.type, tr.event);
    this.#incidents.closeAll();
  }

  /** Stops the housekeeping timer and the fit workers (fits still running are abandoned). Safe to call twice. */
  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    const closed = new VigilError('FIT_TIMEOUT', 'The pipeline closed.');
    for (const stop of this.#stopFit.values()) stop.abort(closed);
    await this.#pool?.close();
    this.#pool = undefined;
  }

  /**
   * The learnt state — per series its fitted detector (`toJSON()`), the history kept for refits and the refit
   * schedule — as JSON-serializable data. Take it after `idle()` to include fits in progress.
   *
   * @example
   * await writeFile('state.json', JSON.stringify(pipeline.snapshot()));
   */
  snapshot(): PipelineSnapshot {
    const series: SeriesSnapshot[] = [];
    for (const key of this.#series.keys()) series.push(this.snapshotSeries(key) as SeriesSnapshot);
    return { version: PIPELINE_SNAPSHOT_VERSION, takenAt: Date.now(), series };
  }

  /**
   * One series' part of {@link snapshot}, or undefined for an unknown key: what a process needs to take the series
   * over (`restore({ version: 1, takenAt, series: [s] })`), e.g. when partitions move between workers.
   */
  snapshotSeries(seriesKey: string): SeriesSnapshot | undefined {
    const st = this.#series.get(seriesKey);
    if (!st) return undefined;
    const h = st.ring.ordered();
    let detector: DetectorSnapshot | null = null;
    try {
      detector = st.detector ? st.detector.toJSON() : null;
    } catch (e) {
      diag.warn(
        `vigil pipeline: the detector of '${seriesKey}' cannot be saved (${String(e)}); saving its history`,
      );
    }
    return {
      key: seriesKey,
      lastT: st.lastT,
      timestamps: Array.from(h.timestamps),
      values: Array.from(h.values),
      sinceFit: st.sinceFit,
      detector,
      ...(st.tracker ? { alert: st.tracker.toJSON() } : {}),
    };
  }

  /**
   * Forgets a series (its detector, history and open event, which is closed); a fit in flight for it is discarded.
   * Returns false for an unknown key. Not counted as an eviction.
   */
  removeSeries(seriesKey: string): boolean {
    if (!this.#series.has(seriesKey)) return false;
    this.#evict(seriesKey);
    return true;
  }

  /**
   * Restores a {@link snapshot} (or some of its series) into this pipeline: detectors through `loadDetector`, so
   * the next point is scored as the process that took the snapshot would have scored it. A series already tracked is
   * replaced. A series whose detector cannot be restored keeps its history and is refitted from it. Returns the
   * series restored with a detector.
   *
   * @throws {VigilInputError} `INVALID_SNAPSHOT` when it is not a pipeline snapshot; `SNAPSHOT_VERSION` when newer.
   */
  restore(snapshot: PipelineSnapshot): number {
    if (!snapshot || typeof snapshot !== 'object' || !Array.isArray(snapshot.series)) {
      throw new VigilInputError(
        'INVALID_SNAPSHOT',
        'Not a pipeline snapshot: expected { version, series: [...] }.',
      );
    }
    if (snapshot.version !== PIPELINE_SNAPSHOT_VERSION) {
      throw new VigilError(
        'SNAPSHOT_VERSION',
        `Pipeline snapshot version ${String(snapshot.version)} is not ${PIPELINE_SNAPSHOT_VERSION}: upgrade Vigil or start without the saved state.`,
      );
    }
    let restored = 0;
    const wall = this.#o.now();
    for (const s of snapshot.series) {
      let detector: Detector<SeriesLike> | null = null;
      if (s.detector) {
        try {
          detector = loadDetector(s.detector) as Detector<SeriesLike>;
          restored++;
        } catch (e) {
          diag.warn(
            `vigil pipeline: cannot restore the detector of '${s.key}' (${String(e)}); it will be refitted`,
          );
        }
      }
      if (this.#series.has(s.key)) this.#evict(s.key);
      const st = this.#newState(s.key, wall);
      const n = Math.min(s.timestamps.length, s.values.length);
      for (let i = Math.max(0, n - this.#o.history); i < n; i++) st.ring.push(s.timestamps[i], s.values[i]);
      st.detector = detector;
      st.lastT = s.lastT;
      st.sinceFit = detector ? s.sinceFit : 0;
      if (s.alert) {
        st.tracker = this.#o.policy.tracker(s.key);
        st.tracker.restore(s.alert);
      }
      this.#series.set(s.key, st);
      this.#perMetric.set(st.metric, (this.#perMetric.get(st.metric) ?? 0) + 1);
      if (!detector && st.ring.size >= this.#o.warmup) this.#startFit(s.key, st);
    }
    return restored;
  }

  #newState(key: string, wall: number, metric = this.#o.metricOf(key)): SeriesState {
    for (const e of Topology.fromSeriesKeys([key]).edges()) this.#inferred.addCall(e.caller, e.callee);
    return new SeriesState(this.#o.history, this.#o.warmup, metric, this.#tick, wall);
  }

  // A new series: refused over its metric's limit; when the table is full, the least recently updated 1% go first.
  #admit(key: string, t: number, value: number, wall: number): SeriesState | undefined {
    const metric = this.#o.metricOf(key);
    const perMetric = this.#perMetric.get(metric) ?? 0;
    if (perMetric >= this.#o.maxSeriesPerMetric) {
      this.#stats.overLimit++;
      this.#refuse(
        'SERIES_LIMIT',
        `'${key}' would be series ${perMetric + 1} of metric '${metric}', over maxSeriesPerMetric ${this.#o.maxSeriesPerMetric}; drop a high-cardinality attribute or raise the limit.`,
        key,
        t,
        value,
      );
      return undefined;
    }
    if (this.#series.size >= this.#o.maxSeries) {
      const victims = lruVictims(this.#series, Math.max(1, Math.ceil(this.#o.maxSeries / 100)));
      for (const k of victims) this.#evict(k);
      this.#stats.evictedLru += victims.length;
    }
    const st = this.#newState(key, wall, metric);
    this.#series.set(key, st);
    this.#perMetric.set(metric, (this.#perMetric.get(metric) ?? 0) + 1);
    return st;
  }

  #evict(key: string): void {
    const st = this.#series.get(key);
    if (!st) return;
    this.#series.delete(key);
    const left = (this.#perMetric.get(st.metric) ?? 1) - 1;
    if (left > 0) this.#perMetric.set(st.metric, left);
    else this.#perMetric.delete(st.metric);
    if (st.quarantinedAt >= 0) this.#stats.quarantinedSeries--;
    // Its fit would be thrown away: stop it, and free its worker for other series.
    this.#stopFit.get(st)?.abort(new VigilError('ABORTED', `The series '${key}' was evicted.`));
    for (const tr of st.tracker?.flush() ?? []) this.#transition(tr.type, tr.event);
    this.#options.otel?.forget(key);
  }

  #refuse(code: 'FUTURE_TIMESTAMP' | 'SERIES_LIMIT', message: string, key: string, t: number, value: number) {
    this.#stats.dropped++;
    const onReject = this.#options.onReject;
    if (!onReject) return;
    try {
      onReject(new VigilInputError(code, message, 't'), key, t, value);
    } catch (e) {
      diag.error(`vigil pipeline: onReject threw: ${String(e)}`);
    }
  }

  #ranked(incident: Incident): Incident {
    const options = this.#options.rootCause;
    if (options === false) return incident;
    try {
      const rootCauses = rankRootCauses(incident, {
        ...options,
        history: (key) => this.history(key),
        topology: this.topology,
      });
      return { ...incident, rootCauses };
    } catch (e) {
      diag.error(`vigil pipeline: ranking root causes of ${incident.id} failed: ${String(e)}`);
      return incident;
    }
  }

  #score(
    key: string,
    st: SeriesState,
    detector: Detector<SeriesLike>,
    t: number,
    value: number,
  ): PointScore | undefined {
    let p: PointScore;
    try {
      p = detector.update!(t, value);
    } catch (e) {
      this.#quarantine(key, st, `its update threw: ${String((e as Error)?.message ?? e)}`);
      return undefined;
    }
    const scored = p?.status === 'scored';
    if (!p || (scored && !(p.score >= 0 && p.score <= 1))) {
      this.#quarantine(key, st, `it returned ${p ? `score ${p.score}` : String(p)}, not a score in [0, 1]`);
      return undefined;
    }
    if (scored) {
      this.#stats.scored++;
      this.#options.otel?.recordScore(key, p.score);
    }
    if (!st.tracker && !(scored && p.score >= this.#o.policy.threshold)) return p;
    st.tracker ??= this.#o.policy.tracker(key);
    for (const tr of st.tracker.push({
      t,
      score: scored ? p.score : Number.NaN,
      value,
      expected: p.expected,
    })) {
      this.#transition(tr.type, tr.event);
    }
    return p;
  }

  // A faulty detector stops scoring its series (others go on); the series is refitted after `warmup` more points.
  #quarantine(key: string, st: SeriesState, why: string): void {
    const kind = st.detector?.kind ?? 'detector';
    st.detector = null;
    if (st.quarantinedAt < 0) this.#stats.quarantinedSeries++;
    st.quarantinedAt = st.ring.total;
    this.#stats.quarantined++;
    const error = new VigilError(
      'DETECTOR_FAULT',
      `The ${kind} detector of '${key}' was quarantined: ${why}. The series is refitted after ${st.warmup} more points.`,
    );
    diag.warn(`vigil pipeline: ${error.message}`);
    try {
      this.#options.onQuarantine?.(key, error);
    } catch (e) {
      diag.error(`vigil pipeline: onQuarantine threw: ${String(e)}`);
    }
  }

  #transition(type: 'open' | 'close', event: AnomalyEvent): void {
    if (type === 'open') {
      this.#stats.events++;
      this.#options.otel?.recordEvent(event);
    }
    try {
      this.#options.onEvent?.(event, type);
    } catch (e) {
      diag.error(`vigil pipeline: onEvent threw: ${String(e)}`);
    }
    this.#incidents.add(event, type === 'open');
  }

  #startFit(key: string, st: SeriesState): void {
    st.fitting = true;
    st.sinceFit = 0;
    st.fitMark = st.ring.total;
    const train = st.ring.ordered(this.#o.history);
    const stop = new AbortController();
    this.#stopFit.set(st, stop);
    const run = this.#fit(key, train, stop.signal).then(
      (d) => {
        this.#stopFit.delete(st);
        return this.#swapIn(key, st, d);
      },
      (e) => {
        this.#stopFit.delete(st);
        this.#fitFailed(key, st, e);
      },
    );
    this.#fits.add(run);
    void run.finally(() => this.#fits.delete(run));
  }

  // Builds and fits a detector: in the worker pool (its snapshot restored here), or on this thread, after the
  // current push has returned, bounded by fitTimeout when the fit awaits anything.
  async #fit(
    key: string,
    train: { timestamps: Float64Array; values: Float64Array },
    signal: AbortSignal,
  ): Promise<Detector<SeriesLike>> {
    const onProgress = this.#progressOf(key);
    const modules = this.#options.detectors;
    if (modules && this.#o.threads > 0) {
      this.#factory ??= loadFactoryModule(modules.module);
      // The factory module registers its kinds here too, so that loadDetector can restore the fitted snapshots.
      await this.#factory;
      this.#pool ??= new FitPool({
        module: modules.module,
        threads: this.#o.threads,
        niceness: this.#o.niceness,
        timeoutMs: this.#o.fitTimeout,
      });
      const snapshot = await this.#pool.fit(this.#spec(key), train, { signal, onProgress });
      return loadDetector(snapshot) as Detector<SeriesLike>;
    }
    await new Promise((resolve) => setImmediate(resolve));
    let d: Detector<SeriesLike>;
    if (modules) {
      this.#factory ??= loadFactoryModule(modules.module);
      const spec = this.#spec(key);
      d = (await this.#factory).createDetector(spec.kind, spec.options) as unknown as Detector<SeriesLike>;
    } else {
      d = (this.#options.createDetector as (k: string) => Detector<SeriesLike>)(key);
    }
    if (typeof d?.update !== 'function') {
      throw new VigilInputError(
        'INVALID_OPTION',
        `The detector for '${key}' (${d?.kind}) does not stream (no update()).`,
        'createDetector',
      );
    }
    // The Pipeline keeps the history (the detector need not), and close() stops fits still running.
    await withTimeout(
      d.fit(train, { keepHistory: false, streaming: true, signal, onProgress }),
      this.#o.fitTimeout,
      d.kind,
    );
    return d;
  }

  // The onFitProgress listener for one series' fit; its exceptions are logged (they do not stop the fit).
  #progressOf(key: string): FitOptions['onProgress'] {
    const listener = this.#options.onFitProgress;
    if (!listener) return undefined;
    return (progress) => {
      try {
        listener(key, progress);
      } catch (e) {
        diag.error(`vigil pipeline: onFitProgress threw: ${String(e)}`);
      }
    };
  }

  #spec(key: string): DetectorSpec {
    const spec = (this.#options.detectors as { spec: DetectorSpec | ((k: string) => DetectorSpec) }).spec;
    return typeof spec === 'function' ? spec(key) : spec;
  }

  // Points that arrived during the fit were scored by the previous detector (if any); the new one learns them before
  // it takes over, in slices of at most REPLAY_SLICE_MS with turns of the event loop between them: a fit that took a
  // while leaves many points to replay (thousands, at a high rate), and replaying them in one go would block the loop
  // as long as the fit would have. Points that arrive meanwhile join the replay; the previous detector scores them.
  async #swapIn(key: string, st: SeriesState, d: Detector<SeriesLike>): Promise<void> {
    if (typeof d.update !== 'function') {
      st.fitting = false;
      if (this.#series.get(key) === st)
        this.#fitFailed(key, st, new Error(`the '${d.kind}' detector does not stream (no update())`));
      return;
    }
    let mark = st.fitMark;
    for (;;) {
      if (this.#series.get(key) !== st) {
        st.fitting = false; // evicted or replaced while fitting
        return;
      }
      const sliceStart = performance.now();
      const pending = st.ring.since(mark, REPLAY_CHUNK);
      // Points that already left the ring cannot be replayed (more arrived during the fit than the history holds).
      mark = st.ring.total - st.ring.sinceCount(mark);
      let i = 0;
      try {
        while (i < pending.timestamps.length) {
          d.update(pending.timestamps[i], pending.values[i]);
          i++;
          if ((i & 15) === 0 && performance.now() - sliceStart > REPLAY_SLICE_MS) break;
        }
      } catch (e) {
        st.fitting = false;
        st.detector = d;
        this.#quarantine(key, st, `its update threw: ${String((e as Error)?.message ?? e)}`);
        return;
      }
      mark += i;
      if (mark >= st.ring.total) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    st.fitting = false;
    st.detector = d;
    if (st.quarantinedAt >= 0) {
      st.quarantinedAt = -1;
      this.#stats.quarantinedSeries--;
    }
    this.#stats.fits++;
  }

  #fitFailed(key: string, st: SeriesState, e: unknown): void {
    st.fitting = false;
    if (this.#series.get(key) !== st) return;
    this.#stats.fitFailures++;
    if ((e as VigilError)?.code === 'FIT_TIMEOUT') this.#stats.fitTimeouts++;
    st.warmup = Math.min(this.#o.history, st.warmup * 2);
    diag.warn(
      `vigil pipeline: fitting '${key}' failed (${String((e as Error)?.message ?? e)}); will retry with more data`,
    );
  }
}

function withTimeout<T>(work: Promise<T>, ms: number, kind: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new VigilError(
            'FIT_TIMEOUT',
            `A '${kind}' fit ran longer than ${ms} ms and was abandoned; raise fitTimeout or fit on less history.`,
          ),
        ),
      ms,
    );
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
