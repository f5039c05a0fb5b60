import { diag } from '@opentelemetry/api';

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
}
interface OtlpMetric {
  name?: string;
  gauge?: { dataPoints?: OtlpNumberPoint[] };
  sum?: { dataPoints?: OtlpNumberPoint[]; aggregationTemporality?: number | string; isMonotonic?: boolean };
  histogram?: { dataPoints?: OtlpHistogramPoint[]; aggregationTemporality?: number | string };
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
 * Translates OTLP/JSON metric export requests into keyed points for the pipeline: gauges as they are, sums as rates
 * per second (delta sums over their own interval; cumulative sums differenced between exports, a decrease read as a
 * reset), histograms as the
 * mean of the observations in each interval. Malformed points are skipped and counted, never thrown.
 *
 * @example
 * const tr = new OtlpTranslator();
 * for (const p of tr.translate(JSON.parse(body))) pipeline.push(p.key, p.t, p.value);
 */
export class OtlpTranslator {
  readonly #last = new Map<string, { t: number; value: number; count?: number }>();
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
    const sum = Number(p.sum ?? Number.NaN);
    if (!Number.isFinite(t) || !Number.isFinite(count) || !Number.isFinite(sum)) {
      this.skipped++;
      return;
    }
    const key = this.#key(service, name, p.attributes);
    let dc = count;
    let ds = sum;
    if (cumulative) {
      const last = this.#last.get(key);
      this.#last.set(key, { t, value: sum, count });
      if (!last || t <= last.t) return;
      if (count >= (last.count ?? 0)) {
        dc = count - (last.count ?? 0);
        ds = sum - last.value;
      }
    }
    out.push({ key, t, value: dc > 0 ? ds / dc : Number.NaN });
  }
}
