import { type OtlpMetricsRequest, OtlpTranslator } from '@vigil/core';

/** Where translated points go: a `Pipeline`, or anything with its `push` and `stats.dropped`. */
export interface PointSink {
  push(seriesKey: string, t: number, value: number): unknown;
  readonly stats: { readonly dropped: number };
}

/** Options of {@link MetricsIngest}. */
export interface MetricsIngestOptions {
  /** Most distinct series accepted; points of further new series are rejected (partial success). Default 10 000. */
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
  /** Points refused because the series limit was reached. */
  overCardinality: number;
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
  readonly #stats: IngestStats = { requests: 0, accepted: 0, rejected: 0, overCardinality: 0, series: 0 };

  constructor(sink: PointSink, options: MetricsIngestOptions = {}) {
    this.#sink = sink;
    this.#maxSeries = options.maxSeries ?? 10_000;
  }

  /** Counters so far. */
  get stats(): IngestStats {
    return { ...this.#stats, series: this.#series.size };
  }

  /** Translates one request and pushes its points. Never throws on data. */
  ingest(request: OtlpMetricsRequest): IngestResult {
    this.#stats.requests++;
    const skippedBefore = this.#translator.skipped;
    const droppedBefore = this.#sink.stats.dropped;
    let pushed = 0;
    let overLimit = 0;
    for (const p of this.#translator.translate(request)) {
      if (!this.#series.has(p.key)) {
        if (this.#series.size >= this.#maxSeries) {
          overLimit++;
          continue;
        }
        this.#series.add(p.key);
      }
      this.#sink.push(p.key, p.t, p.value);
      pushed++;
    }
    const malformed = this.#translator.skipped - skippedBefore;
    const dropped = this.#sink.stats.dropped - droppedBefore;
    const rejected = malformed + overLimit + dropped;
    const reasons: string[] = [];
    if (malformed > 0) reasons.push(`${malformed} points without a time or a numeric value`);
    if (dropped > 0) reasons.push(`${dropped} points out of order or with a bad value`);
    if (overLimit > 0)
      reasons.push(`${overLimit} points of new series over the limit of ${this.#maxSeries} series`);
    this.#stats.accepted += pushed - dropped;
    this.#stats.rejected += rejected;
    this.#stats.overCardinality += overLimit;
    return { accepted: pushed - dropped, rejected, errorMessage: reasons.join('; ') };
  }
}
