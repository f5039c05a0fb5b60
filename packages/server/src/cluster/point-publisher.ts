import { diag } from '@opentelemetry/api';
import type { ClusterConnection } from './cluster-connection.js';
import { partitionOf } from './partition-of.js';

/** Counters of a {@link PointPublisher}. */
export interface PublisherStats {
  /** Points handed to JetStream and acknowledged by it. */
  published: number;
  /** Messages (batches of points of one partition) acknowledged. */
  messages: number;
  /** Points refused at `push`: bad time or value, or too many points waiting for acknowledgement. */
  dropped: number;
  /** Points given up on after every publish attempt failed. */
  failed: number;
  /** Points accepted and not yet acknowledged. */
  pending: number;
}

/** Options of a {@link PointPublisher}. */
export interface PointPublisherOptions {
  /** Most points in one message. Default 2000. */
  maxBatch?: number;
  /** Publish attempts per message before its points count as failed. Default 5. */
  attempts?: number;
}

/** One message's points as they travel: `[seriesKey, t (ms), value]`. */
export type PointTriple = [string, number, number];

/**
 * The receivers' side of a cluster: a point sink (what `MetricsIngest` pushes into) that routes each point to its
 * partition's subject, batching the points of one partition into one JetStream message per turn of the event loop.
 * Every message carries an id, so a retry after a lost acknowledgement is stored once (JetStream's duplicate window).
 * `push` never throws and never blocks; when more than `maxPendingPoints` wait for acknowledgement it refuses points,
 * which the receivers report as rejected.
 *
 * @example
 * const publisher = new PointPublisher(connection);
 * publisher.push('web/latency', Date.now(), 12.5);
 * await publisher.flush();
 */
export class PointPublisher {
  readonly #c: ClusterConnection;
  readonly #maxBatch: number;
  readonly #attempts: number;
  readonly #buffers = new Map<number, PointTriple[]>();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #stats: PublisherStats = { published: 0, messages: 0, dropped: 0, failed: 0, pending: 0 };
  readonly #idPrefix: string;
  #messageCount = 0;
  #scheduled = false;

  constructor(connection: ClusterConnection, options: PointPublisherOptions = {}) {
    this.#c = connection;
    this.#maxBatch = options.maxBatch ?? 2000;
    this.#attempts = options.attempts ?? 5;
    this.#idPrefix = `${connection.workerId}-${Date.now().toString(36)}`;
  }

  /** Counters so far. */
  get stats(): PublisherStats {
    return { ...this.#stats };
  }

  /** True while at least 90% of `maxPendingPoints` wait for acknowledgement: receivers answer 429/UNAVAILABLE. */
  get overloaded(): boolean {
    return this.#stats.pending >= 0.9 * this.#c.options.maxPendingPoints;
  }

  /** Queues one point for its partition; returns undefined (scores come from the workers). */
  push(seriesKey: string, t: number, value: number): undefined {
    if (
      typeof seriesKey !== 'string' ||
      seriesKey === '' ||
      !Number.isFinite(t) ||
      typeof value !== 'number' ||
      value === Number.POSITIVE_INFINITY ||
      value === Number.NEGATIVE_INFINITY ||
      this.#stats.pending >= this.#c.options.maxPendingPoints
    ) {
      this.#stats.dropped++;
      return undefined;
    }
    const p = partitionOf(seriesKey, this.#c.options.partitions);
    let buffer = this.#buffers.get(p);
    if (!buffer) {
      buffer = [];
      this.#buffers.set(p, buffer);
    }
    // JSON has no NaN: a missing value travels as null and comes back as NaN.
    buffer.push([seriesKey, t, value]);
    this.#stats.pending++;
    if (buffer.length >= this.#maxBatch) this.#send(p);
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.#sendAll());
    }
    return undefined;
  }

  /** Publishes everything queued and resolves when JetStream has acknowledged it (or given up). */
  async flush(): Promise<void> {
    this.#sendAll();
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  #sendAll(): void {
    this.#scheduled = false;
    for (const p of [...this.#buffers.keys()]) this.#send(p);
  }

  #send(partition: number): void {
    const points = this.#buffers.get(partition);
    if (!points || points.length === 0) return;
    this.#buffers.delete(partition);
    const id = `${this.#idPrefix}-${++this.#messageCount}`;
    const body = JSON.stringify(points);
    const subject = this.#c.names.pointsSubject(partition);
    const run = (async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          await this.#c.js.publish(subject, body, { msgID: id, timeout: 10_000 });
          this.#stats.published += points.length;
          this.#stats.messages++;
          return;
        } catch (e) {
          if (attempt >= this.#attempts || this.#c.nc.isClosed()) {
            this.#stats.failed += points.length;
            diag.error(
              `vigil cluster: publishing ${points.length} points to ${subject} failed ${attempt} times: ${String(e)}`,
            );
            return;
          }
          await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
        }
      }
    })().finally(() => {
      this.#stats.pending -= points.length;
      this.#inFlight.delete(run);
    });
    this.#inFlight.add(run);
  }
}
