import { diag } from '@opentelemetry/api';
import type { Incident, IncidentChange } from '@vigil/core';
import type { ForecastEvent } from '../serve/forecast-event.js';
import type { Output } from './output.js';

/** Options of {@link AlertmanagerOutput}. */
export interface AlertmanagerOutputOptions {
  /** Alertmanager base URL; alerts are POSTed to `<url>/api/v2/alerts`. A URL already ending in that path is kept. */
  url: string;
  /** Tries per batch before it is dropped (and counted). Default 5. */
  maxAttempts?: number;
  /** Wait before the first retry, ms; doubled per retry up to 30 s, or the server's `Retry-After`. Default 500. */
  initialBackoffMs?: number;
  /** Per-request timeout, ms. Default 5000. */
  timeoutMs?: number;
  /** Labels added to every alert (e.g. `{ cluster: 'eu-1' }`). */
  labels?: Record<string, string>;
  /** Firing alerts are re-sent this often so Alertmanager keeps them active, ms. Default 60 000. 0: never. */
  repeatIntervalMs?: number;
}

/** One alert of Alertmanager's v2 API (`postableAlert`). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt?: string;
}

/** Counters of the webhook. */
export interface AlertmanagerStats {
  sent: number;
  retries: number;
  failed: number;
}

/**
 * Sends incidents and forecasts as Alertmanager v2 alerts (`POST /api/v2/alerts`, a JSON array of alerts with
 * `labels`, `annotations`, `startsAt`, and `endsAt` once resolved). Batches go out in order, one at a time; a batch
 * that fails with a network error, a timeout, 429 or 5xx is retried with exponential backoff (honouring
 * `Retry-After`), a 4xx other than 429 is dropped at once. Firing alerts are re-sent every `repeatIntervalMs`.
 *
 * @example
 * const am = new AlertmanagerOutput({ url: 'http://alertmanager:9093' });
 */
export class AlertmanagerOutput implements Output {
  readonly name = 'alertmanager';
  readonly stats: AlertmanagerStats = { sent: 0, retries: 0, failed: 0 };
  readonly #url: string;
  readonly #o: Required<Omit<AlertmanagerOutputOptions, 'url'>>;
  readonly #active = new Map<string, PostableAlert>();
  #queue: Promise<void> = Promise.resolve();
  readonly #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: AlertmanagerOutputOptions) {
    const base = options.url.replace(/\/+$/, '');
    this.#url = base.endsWith('/api/v2/alerts') ? base : `${base}/api/v2/alerts`;
    this.#o = {
      maxAttempts: options.maxAttempts ?? 5,
      initialBackoffMs: options.initialBackoffMs ?? 500,
      timeoutMs: options.timeoutMs ?? 5_000,
      labels: options.labels ?? {},
      repeatIntervalMs: options.repeatIntervalMs ?? 60_000,
    };
    if (this.#o.repeatIntervalMs > 0) {
      this.#timer = setInterval(() => {
        if (this.#active.size > 0) this.#enqueue([...this.#active.values()]);
      }, this.#o.repeatIntervalMs);
      this.#timer.unref();
    }
  }

  onIncident(incident: Incident, change: IncidentChange): void {
    const root = incident.rootCauses?.causes[0];
    const alert: PostableAlert = {
      labels: {
        alertname: 'VigilIncident',
        incident: incident.id,
        severity: incident.severity,
        ...(root ? { root_cause: root.seriesKey } : {}),
        ...this.#o.labels,
      },
      annotations: {
        summary: `${incident.series.length} series anomalous together (peak score ${incident.peakScore.toFixed(3)})`,
        description: `Series: ${incident.series.join(', ')}`,
        ...(incident.rootCauses ? { root_cause: incident.rootCauses.summary } : {}),
      },
      startsAt: new Date(incident.start).toISOString(),
    };
    this.#publish(`incident/${incident.id}`, alert, change === 'closed' ? incident.end : undefined);
  }

  onForecast(f: ForecastEvent): void {
    const alert: PostableAlert = {
      labels: {
        alertname: f.check === 'leak' ? 'VigilMemoryLeak' : 'VigilResourceExhaustion',
        series: f.seriesKey,
        severity: 'warning',
        ...this.#o.labels,
      },
      annotations: {
        summary: f.summary,
        ...(f.eta !== null ? { eta: new Date(f.eta).toISOString() } : {}),
        confidence: f.confidence.toFixed(3),
      },
      startsAt: new Date(f.t).toISOString(),
    };
    this.#publish(`forecast/${f.check}/${f.seriesKey}`, alert, f.state === 'resolved' ? f.t : undefined);
  }

  /** Resolves when every queued batch has been sent or given up. */
  idle(): Promise<void> {
    return this.#queue;
  }

  async shutdown(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#queue;
  }

  #publish(id: string, alert: PostableAlert, resolvedAt: number | undefined): void {
    if (resolvedAt !== undefined) {
      const started = this.#active.get(id)?.startsAt ?? alert.startsAt;
      this.#active.delete(id);
      // endsAt must not precede startsAt; a point-sized incident ends a millisecond after it starts.
      const ends = Math.max(resolvedAt, Date.parse(started) + 1);
      this.#enqueue([{ ...alert, startsAt: started, endsAt: new Date(ends).toISOString() }]);
      return;
    }
    this.#active.set(id, alert);
    this.#enqueue([alert]);
  }

  #enqueue(batch: PostableAlert[]): void {
    if (this.#closed && batch.every((a) => a.endsAt === undefined)) return;
    this.#queue = this.#queue.then(() => this.#send(batch));
  }

  async #send(batch: PostableAlert[]): Promise<void> {
    let wait = this.#o.initialBackoffMs;
    for (let attempt = 1; attempt <= this.#o.maxAttempts; attempt++) {
      let retryAfter: number | undefined;
      try {
        const res = await fetch(this.#url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(batch),
          signal: AbortSignal.timeout(this.#o.timeoutMs),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) {
          this.stats.sent += batch.length;
          return;
        }
        if (res.status !== 429 && res.status < 500) {
          this.stats.failed += batch.length;
          diag.error(`vigil alertmanager: ${this.#url} refused the alerts with ${res.status}; not retried`);
          return;
        }
        const header = Number(res.headers.get('retry-after'));
        if (Number.isFinite(header) && header >= 0) retryAfter = header * 1000;
      } catch (e) {
        diag.warn(
          `vigil alertmanager: sending to ${this.#url} failed (${String((e as Error).message ?? e)})`,
        );
      }
      if (attempt === this.#o.maxAttempts) break;
      this.stats.retries++;
      await new Promise((r) => setTimeout(r, retryAfter ?? wait));
      wait = Math.min(wait * 2, 30_000);
    }
    this.stats.failed += batch.length;
    diag.error(`vigil alertmanager: gave up on ${batch.length} alerts after ${this.#o.maxAttempts} attempts`);
  }
}
