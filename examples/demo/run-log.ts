import type { AnomalyEvent, Incident, PointScore } from '@vigil/core';
import type { ForecastEvent, ReportSeries } from '@vigil/server';

/** A series joining an incident, or a forecast on it, in wall-clock time. */
export interface Finding {
  readonly kind: 'incident' | 'forecast';
  /** The incident's id, or the forecast's check. */
  readonly id: string;
  /** When Vigil reported it, ms since epoch. */
  readonly at: number;
  readonly series: string;
}

/** Records findings, events and every point's score, for the live view, the summary table and the report. */
/** An anomaly event on one series, in wall-clock time. */
export interface EventSpan {
  readonly series: string;
  readonly openedAt: number;
  closedAt: number;
}

export class RunLog {
  readonly findings: Finding[] = [];
  readonly events: AnomalyEvent[] = [];
  readonly spans: EventSpan[] = [];

  /** Records an event opening or closing on a series. */
  event(event: AnomalyEvent, change: 'open' | 'close'): void {
    if (change === 'close') {
      this.events.push(event);
      const span = this.spans.findLast((s) => s.series === event.seriesKey);
      if (span) span.closedAt = Date.now();
      return;
    }
    this.spans.push({ series: event.seriesKey, openedAt: Date.now(), closedAt: Number.POSITIVE_INFINITY });
  }
  readonly #points = new Map<string, { t: number[]; v: number[]; s: number[]; firstScored: number }>();

  /** Records the series of an incident not seen in it before; returns the new findings. */
  incident(incident: Incident): Finding[] {
    const at = Date.now();
    const fresh = incident.series
      .filter(
        (series) =>
          !this.findings.some((f) => f.kind === 'incident' && f.id === incident.id && f.series === series),
      )
      .map((series): Finding => ({ kind: 'incident', id: incident.id, at, series }));
    this.findings.push(...fresh);
    return fresh;
  }

  forecast(forecast: ForecastEvent): Finding {
    const f: Finding = { kind: 'forecast', id: forecast.check, at: Date.now(), series: forecast.seriesKey };
    this.findings.push(f);
    return f;
  }

  point(key: string, t: number, value: number, score: PointScore | undefined): void {
    let p = this.#points.get(key);
    if (!p) this.#points.set(key, (p = { t: [], v: [], s: [], firstScored: -1 }));
    p.t.push(t);
    p.v.push(value);
    const s = score?.status === 'scored' ? score.score : Number.NaN;
    if (p.firstScored < 0 && Number.isFinite(s)) p.firstScored = p.t.length - 1;
    p.s.push(s);
  }

  /** Every point recorded, by series (for debugging a run). */
  dump(): Record<string, { t: number[]; v: number[]; s: number[] }> {
    return Object.fromEntries(this.#points);
  }

  /** Report series for the keys containing one of `parts`, in that order. */
  reportSeries(parts: readonly string[], threshold: number): ReportSeries[] {
    const out: ReportSeries[] = [];
    for (const part of parts) {
      // The eBPF series repeat the OTLP names under `ebpf.`: a part picks them only when it says so.
      const key = [...this.#points.keys()].find(
        (k) => k.includes(part) && (part.startsWith('ebpf.') || !k.includes('/ebpf.')),
      );
      if (!key) continue;
      const p = this.#points.get(key)!;
      out.push({
        name: key,
        timestamps: p.t,
        values: p.v,
        scores: p.s,
        threshold,
        events: this.events.filter((e) => e.seriesKey === key),
        trainEnd: Math.max(0, p.firstScored),
      });
    }
    return out;
  }
}
