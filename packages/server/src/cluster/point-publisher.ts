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
  /** Points given up on: no acknowledgement from JetStream within `storeTimeoutMs` (their senders were told). */
  failed: number;
  /** Points accepted and not yet acknowledged. */
  pending: number;
}

/** Options of a {@link PointPublisher}. */
export interface PointPublisherOptions {
  /** Most points in one message. Default 2000. */
  maxBatch?: number;
  /**
   * Milliseconds a message may wait for JetStream's acknowledgement, retries included, before its points count as
   * failed and {@link PointPublisher.stored} answers false. Default 5000 (below the OTLP exporters' 10 s timeout,
   * so a receiver can still answer 503 before its client gives up).
   */
  storeTimeoutMs?: number;
}

/** One message's points as they travel: `[seriesKey, t (ms), value]`. */
export type PointTriple = [string, number, number];

/** Points of one partition waiting for the next send, and the promise of their fate (true: stored). */
interface Batch {
  points: PointTriple[];
  outcome: Promise<boolean>;
  settle: (stored: boolean) => void;
}

/**
 * The receivers' side of a cluster: a point sink (what `MetricsIngest` pushes into) that routes each point to its
 * partition's subject, batching the points of one partition into one JetStream message per turn of the event loop.
 * Every message carries an id, so a retry after a lost acknowledgement is stored once (JetStream's duplicate window).
 * `push` never throws and never blocks; {@link stored} tells a receiver when what it pushed is in the stream (the
 * PubAck), so it acknowledges its client only then. When more than `maxPendingPoints` wait for acknowledgement it
 * refuses points, which the receivers report as rejected; while the NATS connection is down, {@link unavailable}
 * says so and the receivers answer 503/UNAVAILABLE before reading a request.
 *
 * @example
 * const publisher = new PointPublisher(connection);
 * publisher.push('web/latency', Date.now(), 12.5);
 * if (!(await publisher.stored())) answer503();
 */
export class PointPublisher {
  readonly #c: ClusterConnection;
  readonly #maxBatch: number;
  readonly #storeTimeoutMs: number;
  readonly #buffers = new Map<number, Batch>();
  /** Messages sent and not yet settled, each with its outcome. */
  readonly #inFlight = new Set<Promise<boolean>>();
  readonly #stats: PublisherStats = { published: 0, messages: 0, dropped: 0, failed: 0, pending: 0 };
  readonly #idPrefix: string;
  #messageCount = 0;
  #scheduled = false;
  #connected = true;

  constructor(connection: ClusterConnection, options: PointPublisherOptions = {}) {
    this.#c = connection;
    this.#maxBatch = options.maxBatch ?? 2000;
    this.#storeTimeoutMs = options.storeTimeoutMs ?? 5000;
    this.#idPrefix = `${connection.workerId}-${Date.now().toString(36)}`;
    void this.#watch();
  }

  /** Counters so far. */
  get stats(): PublisherStats {
    return { ...this.#stats };
  }

  /** True while at least 90% of `maxPendingPoints` wait for acknowledgement: receivers answer 429/UNAVAILABLE. */
  get overloaded(): boolean {
    return this.#stats.pending >= 0.9 * this.#c.options.maxPendingPoints;
  }

  /** Why points cannot be stored now (the NATS connection is down), or undefined when they can. */
  get unavailable(): string | undefined {
    if (this.#c.nc.isClosed()) return 'the connection to NATS is closed';
    return this.#connected ? undefined : 'the connection to NATS is down (reconnecting)';
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
    let batch = this.#buffers.get(p);
    if (!batch) {
      let settle!: (stored: boolean) => void;
      const outcome = new Promise<boolean>((resolve) => {
        settle = resolve;
      });
      batch = { points: [], outcome, settle };
      this.#buffers.set(p, batch);
    }
    // JSON has no NaN: a missing value travels as null and comes back as NaN.
    batch.points.push([seriesKey, t, value]);
    this.#stats.pending++;
    if (batch.points.length >= this.#maxBatch) this.#send(p);
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.#sendAll());
    }
    return undefined;
  }

  /**
   * Resolves true once every point pushed before the call is stored in the stream (JetStream acknowledged its
   * message), false when some of them could not be stored within `storeTimeoutMs` (the sender should retry: the
   * workers skip a point their series already has, so a retry never counts twice). Never rejects.
   */
  async stored(): Promise<boolean> {
    const waits = [...this.#inFlight, ...[...this.#buffers.values()].map((b) => b.outcome)];
    if (waits.length === 0) return true;
    return (await Promise.all(waits)).every(Boolean);
  }

  /** Publishes everything queued and resolves when JetStream has acknowledged it (or it was given up on). */
  async flush(): Promise<void> {
    this.#sendAll();
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  async #watch(): Promise<void> {
    try {
      for await (const s of this.#c.nc.status()) {
        if (s.type === 'disconnect' || s.type === 'reconnecting') this.#connected = false;
        else if (s.type === 'reconnect') this.#connected = true;
      }
    } catch {
      // the iterator ends when the connection closes
    }
  }

  #sendAll(): void {
    this.#scheduled = false;
    for (const p of [...this.#buffers.keys()]) this.#send(p);
  }

  #send(partition: number): void {
    const batch = this.#buffers.get(partition);
    if (!batch || batch.points.length === 0) return;
    this.#buffers.delete(partition);
    const { points } = batch;
    const id = `${this.#idPrefix}-${++this.#messageCount}`;
    const body = JSON.stringify(points);
    const subject = this.#c.names.pointsSubject(partition);
    const deadline = Date.now() + this.#storeTimeoutMs;
    const run = (async () => {
      for (let attempt = 1; ; attempt++) {
        const left = deadline - Date.now();
        try {
          if (left <= 0) throw new Error(`no acknowledgement within ${this.#storeTimeoutMs} ms`);
          await this.#c.js.publish(subject, body, { msgID: id, timeout: left });
          this.#stats.published += points.length;
          this.#stats.messages++;
          return true;
        } catch (e) {
          const pause = 100 * 2 ** attempt;
          if (deadline - Date.now() <= pause || this.#c.nc.isClosed()) {
            this.#stats.failed += points.length;
            diag.error(
              `vigil cluster: publishing ${points.length} points to ${subject} failed ${attempt} times: ${String(e)}`,
            );
            return false;
          }
          await new Promise((r) => setTimeout(r, pause));
        }
      }
    })().finally(() => {
      this.#stats.pending -= points.length;
      this.#inFlight.delete(run);
    });
    this.#inFlight.add(run);
    void run.then(batch.settle);
  }
}
