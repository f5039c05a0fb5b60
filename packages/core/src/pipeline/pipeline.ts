import { diag } from '@opentelemetry/api';
import {
  AlertPolicy,
  type AlertPolicyOptions,
  type AlertTracker,
  type AnomalyEvent,
} from '../alerting/alert-policy.js';
import type { Detector, PointScore } from '../detector/detector.js';
import { loadDetector } from '../detector/registry.js';
import { checkNumberOption, VigilError, VigilInputError } from '../errors.js';
import type { OtelOutput } from '../otel/otel-output.js';
import { rankRootCauses } from '../rca/rank-root-causes.js';
import { Topology } from '../rca/topology.js';
import type { RankOptions } from '../rca/types.js';
import type { SeriesLike } from '../series/series.js';
import { type Incident, type IncidentChange, IncidentGrouper } from './incidents.js';
import { type OtlpMetricsRequest, OtlpTranslator } from './otlp.js';
import { PIPELINE_SNAPSHOT_VERSION, type PipelineSnapshot } from './pipeline-snapshot.js';

/** Options of a {@link Pipeline}. */
export interface PipelineOptions {
  /** Makes the detector for a new series (it must stream: have `update`). Called again for each refit. */
  createDetector: (seriesKey: string) => Detector<SeriesLike>;
  /** Points buffered before a series' detector is first fitted. Default 288 (a day of 5-minute data). */
  warmup?: number;
  /** Refit a series' detector in the background every this many points (0: never). Default 0. */
  refitEvery?: number;
  /** Points of history kept per series for refits. Default 4 × warmup. */
  history?: number;
  /** The alert policy (or its options). Default `new AlertPolicy()`. */
  policy?: AlertPolicy | AlertPolicyOptions;
  /** Events starting within this many ms of an open incident's activity join it. Default 10 minutes. */
  incidentWindow?: number;
  /** Publishes scores and events as OpenTelemetry metrics. */
  otel?: OtelOutput;
  /** Called when an event opens (alert now) and when it closes (final extent). */
  onEvent?: (event: AnomalyEvent, change: 'open' | 'close') => void;
  /** Called when an incident opens, grows or closes; the incident carries its `rootCauses` ranking. */
  onIncident?: (incident: Incident, change: IncidentChange) => void;
  /**
   * Who calls whom, for root-cause ranking. Calls named by client series' peer attributes (`peer.service`,
   * `server.address`) are added automatically.
   */
  topology?: Topology;
  /** Root-cause ranking options, or `false` to leave incidents unranked. Default `{}`. */
  rootCause?: Omit<RankOptions, 'history' | 'topology'> | false;
}

/** Counters of a pipeline. */
export interface PipelineStats {
  series: number;
  /** Points accepted (buffered or scored). */
  points: number;
  /** Points scored by a fitted detector. */
  scored: number;
  /** Points dropped: bad key, bad or out-of-order timestamp, non-numeric value. */
  dropped: number;
  /** Fits and refits completed, and failed. */
  fits: number;
  fitFailures: number;
  /** Events opened. */
  events: number;
}

interface SeriesState {
  detector: Detector<SeriesLike> | null;
  fitting: boolean;
  lastT: number;
  times: number[];
  values: number[];
  /** Points that arrived while a fit ran; replayed into the new detector. */
  pending: Array<[number, number]>;
  sinceFit: number;
  warmup: number;
  tracker: AlertTracker;
}

/**
 * The closed loop inside a service: keyed points in (from the app, eBPF probes or OTLP), one streaming detector per
 * series (fitted after a warm-up, refitted in the background), alert events, incidents grouping events that start
 * together, and OpenTelemetry output. `push` never throws on data and never blocks on a fit.
 *
 * @throws {VigilInputError} `INVALID_OPTION` for bad options (at construction).
 * @example
 * const pipeline = new Pipeline({ createDetector: () => createDetector('ensemble'), onIncident: (i, c) => page(i, c) });
 * pipeline.push('checkout/latency', Date.now(), 182);
 */
export class Pipeline {
  readonly #o: Required<
    Omit<PipelineOptions, 'otel' | 'onEvent' | 'onIncident' | 'policy' | 'topology' | 'rootCause'>
  > & {
    policy: AlertPolicy;
  };
  readonly #series = new Map<string, SeriesState>();
  readonly #incidents: IncidentGrouper;
  readonly #translator = new OtlpTranslator();
  readonly #fits = new Set<Promise<void>>();
  readonly #options: PipelineOptions;
  readonly #stats: PipelineStats = {
    series: 0,
    points: 0,
    scored: 0,
    dropped: 0,
    fits: 0,
    fitFailures: 0,
    events: 0,
  };
  #clock = Number.NEGATIVE_INFINITY;
  /** Calls inferred from client series keys. */
  readonly #inferred = new Topology();
  #merged: { sizes: string; topology: Topology | undefined } = { sizes: '', topology: undefined };

  constructor(options: PipelineOptions) {
    if (typeof options?.createDetector !== 'function') {
      throw new VigilInputError(
        'INVALID_OPTION',
        'options.createDetector must be a function (seriesKey) => Detector.',
        'createDetector',
      );
    }
    const warmup = checkNumberOption('options.warmup', options.warmup ?? 288, { min: 10, integer: true });
    this.#o = {
      createDetector: options.createDetector,
      warmup,
      refitEvery: checkNumberOption('options.refitEvery', options.refitEvery ?? 0, { min: 0, integer: true }),
      history: checkNumberOption('options.history', options.history ?? 4 * warmup, {
        min: warmup,
        integer: true,
      }),
      incidentWindow: checkNumberOption('options.incidentWindow', options.incidentWindow ?? 600_000, {
        min: 0,
      }),
      policy: options.policy instanceof AlertPolicy ? options.policy : new AlertPolicy(options.policy),
    };
    this.#options = options;
    // Ranking options are checked here, once, rather than failing on every incident.
    if (options.rootCause) rankRootCauses({ events: [] }, options.rootCause);
    this.#incidents = new IncidentGrouper(this.#o.incidentWindow, (incident, change) => {
      if (!options.onIncident) return;
      try {
        options.onIncident(this.#ranked(incident), change);
      } catch (e) {
        diag.error(`vigil pipeline: onIncident threw: ${String(e)}`);
      }
    });
  }

  /** Counters so far. */
  get stats(): PipelineStats {
    return { ...this.#stats, series: this.#series.size };
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

  /** The recent history of a series (the points kept for refits), or undefined for an unknown key. */
  history(seriesKey: string): { timestamps: readonly number[]; values: readonly number[] } | undefined {
    const st = this.#series.get(seriesKey);
    return st ? { timestamps: st.times, values: st.values } : undefined;
  }

  /**
   * Accepts one point of a series. Returns its score once the series' detector is fitted, `undefined` while it
   * warms up or when the point is dropped (bad key, time or value; counted in `stats.dropped`).
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
    let st = this.#series.get(seriesKey);
    if (!st) {
      st = {
        detector: null,
        fitting: false,
        lastT: Number.NEGATIVE_INFINITY,
        times: [],
        values: [],
        pending: [],
        sinceFit: 0,
        warmup: this.#o.warmup,
        tracker: this.#o.policy.tracker(seriesKey),
      };
      this.#series.set(seriesKey, st);
      for (const e of Topology.fromSeriesKeys([seriesKey]).edges())
        this.#inferred.addCall(e.caller, e.callee);
    }
    if (t <= st.lastT) {
      this.#stats.dropped++;
      return undefined;
    }
    st.lastT = t;
    this.#stats.points++;
    st.times.push(t);
    st.values.push(value);
    // Trim in batches: shifting one point off a long array on every push would copy the whole history each time.
    if (st.times.length >= 2 * this.#o.history) {
      st.times.splice(0, st.times.length - this.#o.history);
      st.values.splice(0, st.values.length - this.#o.history);
    }
    if (st.fitting) st.pending.push([t, value]);
    let result: PointScore | undefined;
    if (st.detector) result = this.#score(seriesKey, st, st.detector, t, value);
    st.sinceFit++;
    const due = st.detector
      ? this.#o.refitEvery > 0 && st.sinceFit >= this.#o.refitEvery
      : st.times.length >= st.warmup;
    if (due && !st.fitting) this.#startFit(seriesKey, st);
    if (t > this.#clock) {
      this.#clock = t;
      this.#incidents.advance(t);
    }
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

  /** Resolves when no fit is running (useful after a burst of points, and in tests). */
  async idle(): Promise<void> {
    while (this.#fits.size > 0) await Promise.all([...this.#fits]);
  }

  /** Closes open events and incidents (call at shutdown or at the end of a replay). */
  async flush(): Promise<void> {
    await this.idle();
    for (const [, st] of this.#series)
      for (const tr of st.tracker.flush()) this.#transition(tr.type, tr.event);
    this.#incidents.closeAll();
  }

  /**
   * The learnt state — per series its fitted detector (`toJSON()`), the history kept for refits and the refit
   * schedule — as JSON-serializable data. Take it after `idle()` to include fits in progress.
   *
   * @example
   * await writeFile('state.json', JSON.stringify(pipeline.snapshot()));
   */
  snapshot(): PipelineSnapshot {
    const series = [...this.#series].map(([key, st]) => ({
      key,
      lastT: st.lastT,
      timestamps: st.times.slice(-this.#o.history),
      values: st.values.slice(-this.#o.history),
      sinceFit: st.sinceFit,
      detector: st.detector ? st.detector.toJSON() : null,
    }));
    return { version: PIPELINE_SNAPSHOT_VERSION, takenAt: Date.now(), series };
  }

  /**
   * Restores a {@link snapshot} into this pipeline (before any point of those series arrives): detectors through
   * `loadDetector`, so the next point is scored as the process that took the snapshot would have scored it. A series
   * whose detector cannot be restored keeps its history and is refitted from it. Returns the series restored with a
   * detector.
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
      this.#series.set(s.key, {
        detector,
        fitting: false,
        lastT: s.lastT,
        times: [...s.timestamps],
        values: [...s.values],
        pending: [],
        sinceFit: detector ? s.sinceFit : 0,
        warmup: this.#o.warmup,
        tracker: this.#o.policy.tracker(s.key),
      });
      for (const e of Topology.fromSeriesKeys([s.key]).edges()) this.#inferred.addCall(e.caller, e.callee);
      if (!detector && s.timestamps.length >= this.#o.warmup) this.#startFit(s.key, this.#series.get(s.key)!);
    }
    return restored;
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

  #score(key: string, st: SeriesState, detector: Detector<SeriesLike>, t: number, value: number): PointScore {
    const p = detector.update!(t, value);
    if (p.status === 'scored') {
      this.#stats.scored++;
      this.#options.otel?.recordScore(key, p.score);
    }
    for (const tr of st.tracker.push({
      t,
      score: p.status === 'scored' ? p.score : Number.NaN,
      value,
      expected: p.expected,
    })) {
      this.#transition(tr.type, tr.event);
    }
    return p;
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
    st.pending = [];
    st.sinceFit = 0;
    const h = this.#o.history;
    const train = {
      timestamps: Float64Array.from(st.times.slice(-h)),
      values: Float64Array.from(st.values.slice(-h)),
    };
    const run = (async () => {
      try {
        const d = this.#o.createDetector(key);
        if (typeof d.update !== 'function') {
          throw new VigilInputError(
            'INVALID_OPTION',
            `The detector for '${key}' (${d.kind}) does not stream (no update()).`,
            'createDetector',
          );
        }
        await d.fit(train);
        // Points that arrived during the fit were scored by the previous detector (if any); the new one learns them.
        for (const [t, v] of st.pending) d.update(t, v);
        st.detector = d;
        this.#stats.fits++;
      } catch (e) {
        this.#stats.fitFailures++;
        st.warmup = Math.min(this.#o.history, st.warmup * 2);
        diag.warn(
          `vigil pipeline: fitting '${key}' failed (${String((e as Error).message ?? e)}); will retry with more data`,
        );
      } finally {
        st.fitting = false;
        st.pending = [];
      }
    })();
    this.#fits.add(run);
    void run.finally(() => this.#fits.delete(run));
  }
}
