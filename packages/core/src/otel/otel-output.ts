import {
  type Attributes,
  type Counter,
  diag,
  type Meter,
  metrics,
  type ObservableGauge,
} from '@opentelemetry/api';
import type { AnomalyEvent } from '../alerting/alert-policy.js';
import type { PipelineStats } from '../pipeline/pipeline-stats.js';

/** Attribute naming the series on every Vigil instrument. */
export const SERIES_ATTRIBUTE = 'vigil.series.key';
/** Attribute naming the severity on the event counter. */
export const SEVERITY_ATTRIBUTE = 'vigil.anomaly.severity';

/** Options of {@link OtelOutput}. */
export interface OtelOutputOptions {
  /** The meter to create instruments on. Default: `metrics.getMeter('@vigil/core')` from the global provider. */
  meter?: Meter;
  /** Instrument name prefix. Default `'vigil'`. */
  prefix?: string;
  /** Attributes added to every observation (e.g. `{ 'service.name': 'checkout' }`). */
  attributes?: Attributes;
}

/**
 * Publishes anomaly scores and events through `@opentelemetry/api` only, so any SDK or exporter the host app
 * configures receives them: an observable gauge `<prefix>.anomaly.score` (latest calibrated score per series, unit 1)
 * and a counter `<prefix>.anomaly.events` (events by series and severity). Recording never throws: a NaN score
 * is dropped and reported through the OTel diagnostic logger.
 *
 * @example
 * const out = new OtelOutput();
 * out.recordScore('web/cpu', 0.42);
 * out.recordEvent(event);
 */
export class OtelOutput {
  readonly #latest = new Map<string, number>();
  readonly #gauge: ObservableGauge;
  readonly #events: Counter;
  readonly #attributes: Attributes;
  readonly #meter: Meter;
  readonly #prefix: string;

  constructor(options: OtelOutputOptions = {}) {
    const meter = options.meter ?? metrics.getMeter('@vigil/core');
    const prefix = options.prefix ?? 'vigil';
    this.#meter = meter;
    this.#prefix = prefix;
    this.#attributes = options.attributes ?? {};
    this.#gauge = meter.createObservableGauge(`${prefix}.anomaly.score`, {
      description: 'Latest calibrated anomaly score per series: 1 − P(normal data is at least this extreme).',
      unit: '1',
    });
    this.#events = meter.createCounter(`${prefix}.anomaly.events`, {
      description: 'Anomaly events opened, by series and severity.',
      unit: '{event}',
    });
    this.#gauge.addCallback((result) => {
      for (const [key, score] of this.#latest) {
        result.observe(score, { ...this.#attributes, [SERIES_ATTRIBUTE]: key });
      }
    });
  }

  /** Records the latest score of a series (read at the next metric collection). */
  recordScore(seriesKey: string, score: number): void {
    if (typeof score !== 'number' || Number.isNaN(score) || score < 0 || score > 1) {
      diag.warn(
        `vigil: dropped anomaly score ${String(score)} for ${seriesKey}: scores are numbers in [0, 1]`,
      );
      return;
    }
    this.#latest.set(seriesKey, score);
  }

  /** Counts one anomaly event. */
  recordEvent(event: AnomalyEvent): void {
    this.#events.add(1, {
      ...this.#attributes,
      [SERIES_ATTRIBUTE]: event.seriesKey,
      [SEVERITY_ATTRIBUTE]: event.severity,
    });
  }

  /**
   * Publishes a pipeline's own counters (self-metrics), read at each collection: `<prefix>.pipeline.series`
   * (gauge, `state` tracked / quarantined), `.points` (counter by `outcome`: accepted, scored, dropped, future,
   * over_limit), `.evictions` (by `reason`: idle, capacity), `.fits` (by `result`: ok, failed, timeout),
   * `.quarantines` and `.fit_queue` (gauge, `state` queued / running). The Pipeline calls it when given this output.
   */
  observePipeline(read: () => PipelineStats): void {
    const m = this.#meter;
    const p = `${this.#prefix}.pipeline`;
    const series = m.createObservableGauge(`${p}.series`, {
      description: 'Series tracked.',
      unit: '{series}',
    });
    const queue = m.createObservableGauge(`${p}.fit_queue`, {
      description: 'Fits queued and running.',
      unit: '{fit}',
    });
    const points = m.createObservableCounter(`${p}.points`, {
      description: 'Points by outcome.',
      unit: '{point}',
    });
    const evictions = m.createObservableCounter(`${p}.evictions`, {
      description: 'Series evicted, by reason.',
      unit: '{series}',
    });
    const fits = m.createObservableCounter(`${p}.fits`, { description: 'Fits by result.', unit: '{fit}' });
    const quarantines = m.createObservableCounter(`${p}.quarantines`, {
      description: 'Detectors quarantined (threw, or scored outside [0, 1]).',
      unit: '{detector}',
    });
    m.addBatchObservableCallback(
      (r) => {
        const s = read();
        const a = (extra: Attributes) => ({ ...this.#attributes, ...extra });
        r.observe(series, s.series, a({ state: 'tracked' }));
        r.observe(series, s.quarantinedSeries, a({ state: 'quarantined' }));
        r.observe(queue, s.queuedFits, a({ state: 'queued' }));
        r.observe(queue, s.runningFits, a({ state: 'running' }));
        r.observe(points, s.points, a({ outcome: 'accepted' }));
        r.observe(points, s.scored, a({ outcome: 'scored' }));
        r.observe(points, s.dropped, a({ outcome: 'dropped' }));
        r.observe(points, s.future, a({ outcome: 'future' }));
        r.observe(points, s.overLimit, a({ outcome: 'over_limit' }));
        r.observe(evictions, s.evictedIdle, a({ reason: 'idle' }));
        r.observe(evictions, s.evictedLru, a({ reason: 'capacity' }));
        r.observe(fits, s.fits, a({ result: 'ok' }));
        r.observe(fits, s.fitFailures - s.fitTimeouts, a({ result: 'failed' }));
        r.observe(fits, s.fitTimeouts, a({ result: 'timeout' }));
        r.observe(quarantines, s.quarantined, this.#attributes);
      },
      [series, queue, points, evictions, fits, quarantines],
    );
  }

  /** Stops reporting a series' gauge (e.g. when the series disappears). */
  forget(seriesKey: string): void {
    this.#latest.delete(seriesKey);
  }
}
