import { diag } from '@opentelemetry/api';
import { bucketQuantile } from './bucket-quantile.js';
import {
  type BucketRanges,
  downscale,
  type ExponentialSide,
  explicitBuckets,
  exponentialBuckets,
  subtractSide,
} from './histogram-buckets.js';

/** One point for the pipeline. */
export interface KeyedPoint {
  readonly key: string;
  readonly t: number;
  readonly value: number;
}

interface OtlpAnyValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}
interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}
interface OtlpNumberPoint {
  attributes?: OtlpKeyValue[];
  startTimeUnixNano?: string | number;
  timeUnixNano?: string | number;
  asDouble?: number;
  asInt?: string | number;
}
interface OtlpHistogramPoint {
  attributes?: OtlpKeyValue[];
  timeUnixNano?: string | number;
  count?: string | number;
  sum?: number;
  bucketCounts?: Array<string | number>;
  explicitBounds?: number[];
  min?: number;
  max?: number;
}
interface OtlpBuckets {
  offset?: number;
  bucketCounts?: Array<string | number>;
}
interface OtlpExponentialHistogramPoint {
  attributes?: OtlpKeyValue[];
  timeUnixNano?: string | number;
  count?: string | number;
  sum?: number;
  scale?: number;
  zeroCount?: string | number;
  zeroThreshold?: number;
  positive?: OtlpBuckets;
  negative?: OtlpBuckets;
}
interface OtlpSummaryPoint {
  attributes?: OtlpKeyValue[];
  timeUnixNano?: string | number;
  count?: string | number;
  sum?: number;
  quantileValues?: Array<{ quantile?: number; value?: number }>;
}
interface OtlpMetric {
  name?: string;
  gauge?: { dataPoints?: OtlpNumberPoint[] };
  sum?: { dataPoints?: OtlpNumberPoint[]; aggregationTemporality?: number | string; isMonotonic?: boolean };
  histogram?: { dataPoints?: OtlpHistogramPoint[]; aggregationTemporality?: number | string };
  exponentialHistogram?: {
    dataPoints?: OtlpExponentialHistogramPoint[];
    aggregationTemporality?: number | string;
  };
  summary?: { dataPoints?: OtlpSummaryPoint[] };
}
/** The OTLP/JSON `ExportMetricsServiceRequest` shape (the subset Vigil reads). */
export interface OtlpMetricsRequest {
  resourceMetrics?: Array<{
    resource?: { attributes?: OtlpKeyValue[] };
    scopeMetrics?: Array<{ metrics?: OtlpMetric[] }>;
  }>;
}

// OTLP's AggregationTemporality enum: 1 = DELTA, 2 = CUMULATIVE.
const CUMULATIVE = new Set<number | string>([2, 'AGGREGATION_TEMPORALITY_CUMULATIVE']);

/** The quantiles a distribution (histogram, exponential histogram, summary) becomes series of, with their suffix. */
const QUANTILES: ReadonlyArray<readonly [number, string]> = [
  [0.5, 'p50'],
  [0.9, 'p90'],
  [0.99, 'p99'],
];

interface HistogramState {
  t: number;
  count: number;
  sum: number;
  buckets: number[];
}
interface ExponentialState {
  t: number;
  count: number;
  sum: number;
  scale: number;
  zero: number;
  positive: ExponentialSide;
  negative: ExponentialSide;
}

const side = (b: OtlpBuckets | undefined): ExponentialSide => ({
  offset: Number(b?.offset ?? 0),
  counts: (b?.bucketCounts ?? []).map(Number),
});

function attrValue(v: OtlpAnyValue | undefined): string {
  if (!v) return '';
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return String(v.intValue);
  if (v.doubleValue !== undefined) return String(v.doubleValue);
  if (v.boolValue !== undefined) return String(v.boolValue);
  return '';
}

/**
 * The series key of a data point: `<service.name>/<metric>{k=v,…}` with the point's attributes sorted by key.
 *
 * @example
 * seriesKey('checkout', 'http.server.duration', { 'http.route': '/pay' }); // 'checkout/http.server.duration{http.route=/pay}'
 */
export function seriesKey(
  service: string,
  metric: string,
  attributes: Readonly<Record<string, string>> = {},
): string {
  const keys = Object.keys(attributes).sort();
  const attrs = keys.map((k) => `${k}=${attributes[k]}`).join(',');
  return `${service}/${metric}${attrs ? `{${attrs}}` : ''}`;
}

/**
 * Translates OTLP metric export requests (the OTLP/JSON object shape; `@vigil/server` decodes protobuf into it) into
 * keyed points for the pipeline: gauges as they are, sums as rates per second (delta sums over their own interval;
 * cumulative sums differenced between exports, a decrease read as a reset). Distributions — histograms, exponential
 * histograms, summaries — become, per interval, `<name>` (the mean), `<name>.count` (observations in the interval)
 * and `<name>.p50`, `.p90`, `.p99` (from the interval's buckets, interpolated linearly within a bucket; a summary's
 * own quantiles). Malformed points are skipped and counted, never thrown.
 *
 * @example
 * const tr = new OtlpTranslator();
 * for (const p of tr.translate(JSON.parse(body))) pipeline.push(p.key, p.t, p.value);
 */
export class OtlpTranslator {
  readonly #last = new Map<string, { t: number; value: number }>();
  readonly #histograms = new Map<string, HistogramState>();
  readonly #exponential = new Map<string, ExponentialState>();
  readonly #summaries = new Map<string, { t: number; count: number; sum: number }>();
  /** Points skipped as malformed. */
  skipped = 0;

  /** Translates one request; points come back sorted by time within each series. */
  translate(request: OtlpMetricsRequest): KeyedPoint[] {
    const out: KeyedPoint[] = [];
    for (const rm of request?.resourceMetrics ?? []) {
      const resource = Object.fromEntries(
        (rm.resource?.attributes ?? []).map((a) => [a.key, attrValue(a.value)]),
      );
      const service = resource['service.name'] || 'unknown_service';
      for (const sm of rm.scopeMetrics ?? []) {
        for (const m of sm.metrics ?? []) {
          if (!m?.name) {
            this.skipped++;
            continue;
          }
          if (m.gauge)
            for (const p of m.gauge.dataPoints ?? []) this.#number(out, service, m.name, p, 'gauge');
          else if (m.sum) {
            const mode = CUMULATIVE.has(m.sum.aggregationTemporality ?? 0) ? 'cumulative' : 'delta';
            for (const p of m.sum.dataPoints ?? []) this.#number(out, service, m.name, p, mode);
          } else if (m.histogram) {
            const cumulative = CUMULATIVE.has(m.histogram.aggregationTemporality ?? 0);
            for (const p of m.histogram.dataPoints ?? [])
              this.#histogram(out, service, m.name, p, cumulative);
          } else if (m.exponentialHistogram) {
            const cumulative = CUMULATIVE.has(m.exponentialHistogram.aggregationTemporality ?? 0);
            for (const p of m.exponentialHistogram.dataPoints ?? [])
              this.#exponentialHistogram(out, service, m.name, p, cumulative);
          } else if (m.summary) {
            for (const p of m.summary.dataPoints ?? []) this.#summary(out, service, m.name, p);
          }
        }
      }
    }
    return out.sort((a, b) => (a.key === b.key ? a.t - b.t : a.key < b.key ? -1 : 1));
  }

  #key(service: string, name: string, attributes: OtlpKeyValue[] | undefined): string {
    return seriesKey(
      service,
      name,
      Object.fromEntries((attributes ?? []).map((a) => [a.key, attrValue(a.value)])),
    );
  }

  #time(p: { timeUnixNano?: string | number }): number {
    // Nanoseconds exceed 2^53; milliseconds are all the pipeline needs, so drop the last six digits as text.
    const ns = String(p.timeUnixNano ?? '');
    return /^\d{7,}$/.test(ns) ? Number(ns.slice(0, -6)) : Number.NaN;
  }

  #number(
    out: KeyedPoint[],
    service: string,
    name: string,
    p: OtlpNumberPoint,
    mode: 'gauge' | 'delta' | 'cumulative',
  ) {
    const t = this.#time(p);
    const v =
      p.asDouble !== undefined ? Number(p.asDouble) : p.asInt !== undefined ? Number(p.asInt) : Number.NaN;
    if (!Number.isFinite(t) || !Number.isFinite(v)) {
      this.skipped++;
      diag.debug(`vigil otlp: skipped a ${name} point without a time or a numeric value`);
      return;
    }
    const key = this.#key(service, name, p.attributes);
    if (mode === 'gauge') {
      out.push({ key, t, value: v });
      return;
    }
    if (mode === 'delta') {
      const start = this.#time({ timeUnixNano: p.startTimeUnixNano });
      out.push({ key, t, value: Number.isFinite(start) && t > start ? v / ((t - start) / 1000) : v });
      return;
    }
    const last = this.#last.get(key);
    this.#last.set(key, { t, value: v });
    if (!last || t <= last.t) return;
    // A cumulative sum that went down was reset (a restart): count from zero again.
    const delta = v >= last.value ? v - last.value : v;
    out.push({ key, t, value: delta / ((t - last.t) / 1000) });
  }

  #histogram(out: KeyedPoint[], service: string, name: string, p: OtlpHistogramPoint, cumulative: boolean) {
    const t = this.#time(p);
    const count = Number(p.count ?? Number.NaN);
    const sum = p.sum === undefined ? Number.NaN : Number(p.sum);
    if (!Number.isFinite(t) || !Number.isFinite(count)) {
      this.skipped++;
      return;
    }
    const buckets = (p.bucketCounts ?? []).map(Number);
    const bounds = p.explicitBounds ?? [];
    const key = this.#key(service, name, p.attributes);
    let dc = count;
    let ds = sum;
    let db = buckets;
    if (cumulative) {
      const last = this.#histograms.get(key);
      this.#histograms.set(key, { t, count, sum, buckets });
      if (!last || t <= last.t) return;
      // A count that went down was reset (a restart): this export holds the whole interval.
      if (count >= last.count) {
        dc = count - last.count;
        ds = sum - last.sum;
        db =
          buckets.length === last.buckets.length && buckets.every((c, i) => c >= last.buckets[i])
            ? buckets.map((c, i) => c - last.buckets[i])
            : buckets;
      }
    }
    const ranges =
      db.length > 0 && db.length === bounds.length + 1 ? explicitBuckets(bounds, db, p.min, p.max) : null;
    this.#distribution(out, service, name, p.attributes, t, dc, ds, ranges);
  }

  #exponentialHistogram(
    out: KeyedPoint[],
    service: string,
    name: string,
    p: OtlpExponentialHistogramPoint,
    cumulative: boolean,
  ) {
    const t = this.#time(p);
    const count = Number(p.count ?? Number.NaN);
    const sum = p.sum === undefined ? Number.NaN : Number(p.sum);
    const scale = Number(p.scale ?? 0);
    const zero = Number(p.zeroCount ?? 0);
    if (
      !Number.isFinite(t) ||
      !Number.isFinite(count) ||
      !Number.isInteger(scale) ||
      !Number.isFinite(zero)
    ) {
      this.skipped++;
      return;
    }
    const key = this.#key(service, name, p.attributes);
    const now: ExponentialState = {
      t,
      count,
      sum,
      scale,
      zero,
      positive: side(p.positive),
      negative: side(p.negative),
    };
    let d = now;
    if (cumulative) {
      const last = this.#exponential.get(key);
      this.#exponential.set(key, now);
      if (!last || t <= last.t) return;
      // The SDK only lowers the scale while a series lives; a higher scale or a lower count means a restart.
      if (count >= last.count && scale <= last.scale) {
        const by = last.scale - scale;
        const positive = subtractSide(now.positive, downscale(last.positive, by));
        const negative = subtractSide(now.negative, downscale(last.negative, by));
        if (positive && negative && zero >= last.zero)
          d = {
            ...now,
            count: count - last.count,
            sum: sum - last.sum,
            zero: zero - last.zero,
            positive,
            negative,
          };
      }
    }
    const ranges = exponentialBuckets(d.scale, d.zero, d.positive, d.negative, Number(p.zeroThreshold ?? 0));
    this.#distribution(out, service, name, p.attributes, t, d.count, d.sum, ranges);
  }

  #summary(out: KeyedPoint[], service: string, name: string, p: OtlpSummaryPoint) {
    const t = this.#time(p);
    const count = Number(p.count ?? Number.NaN);
    const sum = Number(p.sum ?? Number.NaN);
    if (!Number.isFinite(t) || !Number.isFinite(count)) {
      this.skipped++;
      return;
    }
    const key = this.#key(service, name, p.attributes);
    // A summary's quantiles describe its own window; they are reported as they are.
    for (const [q, suffix] of QUANTILES) {
      const v = p.quantileValues?.find((x) => Math.abs(Number(x.quantile ?? Number.NaN) - q) < 1e-9)?.value;
      if (v !== undefined && Number.isFinite(Number(v)))
        out.push({ key: this.#key(service, `${name}.${suffix}`, p.attributes), t, value: Number(v) });
    }
    // Count and sum are cumulative by definition.
    const last = this.#summaries.get(key);
    this.#summaries.set(key, { t, count, sum });
    if (!last || t <= last.t) return;
    const reset = count < last.count;
    const dc = reset ? count : count - last.count;
    const ds = reset ? sum : sum - last.sum;
    out.push({ key, t, value: dc > 0 ? ds / dc : Number.NaN });
    out.push({ key: this.#key(service, `${name}.count`, p.attributes), t, value: dc });
  }

  /** The series of one interval of a distribution: mean, count and quantiles. */
  #distribution(
    out: KeyedPoint[],
    service: string,
    name: string,
    attributes: OtlpKeyValue[] | undefined,
    t: number,
    count: number,
    sum: number,
    ranges: BucketRanges | null,
  ) {
    out.push({ key: this.#key(service, name, attributes), t, value: count > 0 ? sum / count : Number.NaN });
    out.push({ key: this.#key(service, `${name}.count`, attributes), t, value: count });
    if (!ranges) return;
    for (const [q, suffix] of QUANTILES) {
      out.push({
        key: this.#key(service, `${name}.${suffix}`, attributes),
        t,
        value: bucketQuantile(ranges.lower, ranges.upper, ranges.counts, q),
      });
    }
  }
}
