import { type KeyedPoint, type OtlpMetricsRequest, OtlpTranslator } from '@vigil/core';

/** Where translated points go: a `Pipeline`, or anything with its `push` and `stats.dropped`. */
export interface PointSink {
  push(seriesKey: string, t: number, value: number): unknown;
  readonly stats: {
    readonly dropped: number;
    /** Of the dropped points, those dated too far ahead, and those of new series over a cardinality limit. */
    readonly future?: number;
    readonly overLimit?: number;
    /** Series held now. */
    readonly series?: number;
  };
  /** True while the sink is over its queue bound: receivers refuse requests (429/UNAVAILABLE) until it is not. */
  readonly overloaded?: boolean;
  /** Why the sink cannot store points now (a cluster's NATS is down): receivers answer 503/UNAVAILABLE. */
  readonly unavailable?: string;
  /**
   * Resolves true once every point pushed so far is durably stored (a cluster: acknowledged by JetStream), false
   * when some could not be; receivers acknowledge their clients only after it. Absent: stored once pushed.
   */
  stored?(): Promise<boolean>;
}

/** Options of {@link MetricsIngest}. */
export interface MetricsIngestOptions {
  /**
   * Most distinct series this ingest lets through, ever (points of further new series are rejected as a partial
   * success). Default: no limit of its own — a `Pipeline` sink caps series itself, evicting idle and least recently
   * updated ones, and limits each metric's cardinality.
   */
  maxSeries?: number;
}

/** The outcome of one export request, as OTLP's partial success reports it. */
export interface IngestResult {
  accepted: number;
  rejected: number;
  /** Why points were rejected, for the client; empty when none were. */
  errorMessage: string;
}

/** The outcome of a request that must be stored before it is acknowledged: `stored: false` asks for a retry. */
export type StoredIngestResult = (IngestResult & { stored: true }) | { stored: false };

/** Requests whose points could not be stored, remembered for their retry (see {@link MetricsIngest.ingestStored}). */
const REMEMBERED_UNSTORED = 256;

/** Counters of an ingest since it started. */
export interface IngestStats {
  requests: number;
  accepted: number;
  rejected: number;
  /** Points refused because a series limit was reached (this ingest's, or the sink's per-metric limit). */
  overCardinality: number;
  /** Points refused as dated too far ahead of the wall clock. */
  future: number;
  series: number;
  /** Requests refused because their points could not be stored (the client was asked to retry). */
  unstored: number;
}

/** A request's points after translation, and how many were over this ingest's series limit. */
interface Translated {
  points: KeyedPoint[];
  overLimit: number;
}

/**
 * OTLP metric export requests into a point sink, shared by the HTTP and gRPC receivers: translates each request
 * (core's `OtlpTranslator`), enforces the series-cardinality limit, and counts what was accepted and why the rest
 * was rejected.
 *
 * @example
 * const ingest = new MetricsIngest(pipeline, { maxSeries: 5000 });
 * const { accepted, rejected } = ingest.ingest(request);
 */
export class MetricsIngest {
  readonly #sink: PointSink;
  readonly #translator = new OtlpTranslator();
  readonly #series = new Set<string>();
  readonly #maxSeries: number;
  readonly #unstored = new Map<string, Translated>();
  readonly #stats: IngestStats = {
    requests: 0,
    accepted: 0,
    rejected: 0,
    overCardinality: 0,
    future: 0,
    series: 0,
    unstored: 0,
  };

  constructor(sink: PointSink, options: MetricsIngestOptions = {}) {
    this.#sink = sink;
    this.#maxSeries = options.maxSeries ?? Number.POSITIVE_INFINITY;
  }

  /** True while the sink asks for back-pressure (see {@link PointSink.overloaded}). */
  get overloaded(): boolean {
    return this.#sink.overloaded === true;
  }

  /** Counters so far. */
  get stats(): IngestStats {
    const series = Number.isFinite(this.#maxSeries) ? this.#series.size : (this.#sink.stats.series ?? 0);
    return { ...this.#stats, series };
  }

  /** Why the sink cannot store points now (see {@link PointSink.unavailable}), or undefined. */
  get unavailable(): string | undefined {
    return this.#sink.unavailable;
  }

  /** Translates one request and pushes its points. Never throws on data. */
  ingest(request: OtlpMetricsRequest): IngestResult {
    this.#stats.requests++;
    const skippedBefore = this.#translator.skipped;
    return this.#push(this.#translate(request), this.#translator.skipped - skippedBefore);
  }

  /**
   * {@link ingest}, then waits until the sink has stored the points ({@link PointSink.stored}): a receiver answers
   * its client only then, with `stored: false` a retryable refusal. The translated points of a refused request are
   * remembered under `digest()` (the request's bytes, say) and pushed again when the same request comes back,
   * rather than translated twice: a cumulative counter's translation consumed its previous value the first time.
   * Never throws on data.
   */
  async ingestStored(request: OtlpMetricsRequest, digest: () => string): Promise<StoredIngestResult> {
    this.#stats.requests++;
    let key: string | undefined;
    let translated: Translated | undefined;
    if (this.#unstored.size > 0) {
      key = digest();
      translated = this.#unstored.get(key);
      this.#unstored.delete(key);
    }
    let malformed = 0;
    if (!translated) {
      const skippedBefore = this.#translator.skipped;
      translated = this.#translate(request);
      malformed = this.#translator.skipped - skippedBefore;
    }
    const result = this.#push(translated, malformed);
    if (!this.#sink.stored || (await this.#sink.stored())) return { ...result, stored: true };
    key ??= digest();
    if (this.#unstored.size >= REMEMBERED_UNSTORED)
      this.#unstored.delete(this.#unstored.keys().next().value as string);
    this.#unstored.set(key, translated);
    this.#stats.unstored++;
    return { stored: false };
  }

  #translate(request: OtlpMetricsRequest): Translated {
    const points: KeyedPoint[] = [];
    let overLimit = 0;
    for (const p of this.#translator.translate(request)) {
      if (Number.isFinite(this.#maxSeries) && !this.#series.has(p.key)) {
        if (this.#series.size >= this.#maxSeries) {
          overLimit++;
          continue;
        }
        this.#series.add(p.key);
      }
      points.push(p);
    }
    return { points, overLimit };
  }

  #push({ points, overLimit }: Translated, malformed: number): IngestResult {
    const before = this.#sink.stats;
    const droppedBefore = before.dropped;
    const futureBefore = before.future ?? 0;
    const overBefore = before.overLimit ?? 0;
    for (const p of points) this.#sink.push(p.key, p.t, p.value);
    const pushed = points.length;
    const after = this.#sink.stats;
    const dropped = after.dropped - droppedBefore;
    const future = (after.future ?? 0) - futureBefore;
    const overMetric = (after.overLimit ?? 0) - overBefore;
    const rejected = malformed + overLimit + dropped;
    const reasons: string[] = [];
    if (malformed > 0) reasons.push(`${malformed} points without a time or a numeric value`);
    const bad = dropped - future - overMetric;
    if (bad > 0) reasons.push(`${bad} points out of order or with a bad value`);
    if (future > 0) reasons.push(`${future} points dated too far ahead of the receiver's clock`);
    if (overMetric > 0) reasons.push(`${overMetric} points of new series over their metric's series limit`);
    if (overLimit > 0)
      reasons.push(`${overLimit} points of new series over the limit of ${this.#maxSeries} series`);
    this.#stats.accepted += pushed - dropped;
    this.#stats.rejected += rejected;
    this.#stats.overCardinality += overLimit + overMetric;
    this.#stats.future += future;
    return { accepted: pushed - dropped, rejected, errorMessage: reasons.join('; ') };
  }
}
