import { type OtlpMetricsRequest, OtlpTranslator } from '@vigil/core';

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
  readonly #stats: IngestStats = {
    requests: 0,
    accepted: 0,
    rejected: 0,
    overCardinality: 0,
    future: 0,
    series: 0,
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

  /** Translates one request and pushes its points. Never throws on data. */
  ingest(request: OtlpMetricsRequest): IngestResult {
    this.#stats.requests++;
    const skippedBefore = this.#translator.skipped;
    const before = this.#sink.stats;
    const droppedBefore = before.dropped;
    const futureBefore = before.future ?? 0;
    const overBefore = before.overLimit ?? 0;
    const limited = Number.isFinite(this.#maxSeries);
    let pushed = 0;
    let overLimit = 0;
    for (const p of this.#translator.translate(request)) {
      if (limited && !this.#series.has(p.key)) {
        if (this.#series.size >= this.#maxSeries) {
          overLimit++;
          continue;
        }
        this.#series.add(p.key);
      }
      this.#sink.push(p.key, p.t, p.value);
      pushed++;
    }
    const after = this.#sink.stats;
    const malformed = this.#translator.skipped - skippedBefore;
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
