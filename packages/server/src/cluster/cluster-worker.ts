import { diag } from '@opentelemetry/api';
import type { AnomalyEvent, Pipeline, PointScore } from '@vigil/core';
import type { ClusterConnection } from './cluster-connection.js';
import { PartitionConsumer, type PartitionStats, type TakeoverInfo } from './partition-consumer.js';
import { PartitionLeases } from './partition-leases.js';
import { SnapshotBucket } from './snapshot-bucket.js';

/** A message on the events subject, read by the incident merger. */
export type ClusterEventMessage =
  | { type: 'event'; change: 'open' | 'close'; event: AnomalyEvent; partition: number; worker: string }
  | { type: 'clock'; t: number; worker: string }
  /** A worker took a partition over: events its previous owner left open will never be closed by their owner. */
  | { type: 'takeover'; partition: number; worker: string };

/** Options of a {@link ClusterWorker}. */
export interface ClusterWorkerOptions {
  /** Makes the Pipeline of one partition; its events must go to the callback given. */
  createPipeline: (onEvent: (event: AnomalyEvent, change: 'open' | 'close') => void) => Pipeline;
  /** Called with every point applied and its score. */
  onScore?: (seriesKey: string, t: number, value: number, score: PointScore | undefined) => void;
  /** Called when a partition has been restored and its replay applied: it scores live points again. */
  onCaughtUp?: (info: TakeoverInfo) => void;
  /** Called when partitions change hands here. */
  onPartitions?: (change: 'acquired' | 'lost' | 'released', partitions: number[]) => void;
}

/** Counters of a worker. */
export interface ClusterWorkerStats {
  workerId: string;
  /** Live workers seen on the last tick. */
  live: number;
  partitions: PartitionStats[];
  takeovers: number;
  eventsPublished: number;
}

/**
 * A Vigil worker of a cluster: every `leaseMs / 4` it renews its partition leases and claims its fair share (see
 * `PartitionLeases`); each partition it holds runs as a `PartitionConsumer` (restore from the last
 * snapshot, replay the stream after it, consume, snapshot periodically). Anomaly events and the partitions' clocks go
 * to the events subject, where the incident merger groups them. `stop()` hands partitions off gracefully (a final
 * snapshot, then the lease released); `abort()` leaves as a crash would.
 *
 * @example
 * const worker = await ClusterWorker.start(connection, { createPipeline: (onEvent) => new Pipeline({ ... onEvent }) });
 */
export class ClusterWorker {
  readonly #c: ClusterConnection;
  readonly #o: ClusterWorkerOptions;
  readonly #leases: PartitionLeases;
  readonly #bucket: SnapshotBucket;
  readonly #consumers = new Map<number, PartitionConsumer>();
  /** Partitions being started or handed off, with that work. */
  readonly #moving = new Map<number, Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> | undefined;
  #stopped = false;
  #live = 0;
  #takeovers = 0;
  #eventsPublished = 0;
  #lastClock = Number.NEGATIVE_INFINITY;

  private constructor(connection: ClusterConnection, options: ClusterWorkerOptions) {
    this.#c = connection;
    this.#o = options;
    this.#leases = new PartitionLeases(connection.leases, connection.workerId, connection.options.partitions);
    this.#bucket = new SnapshotBucket(connection.snapshots, connection.maxPayload);
  }

  /** Joins the cluster: the first tick (heartbeat and claims) has run when this resolves. */
  static async start(connection: ClusterConnection, options: ClusterWorkerOptions): Promise<ClusterWorker> {
    const worker = new ClusterWorker(connection, options);
    await worker.#tick();
    worker.#schedule();
    return worker;
  }

  /** This worker's id. */
  get id(): string {
    return this.#c.workerId;
  }

  /** Partitions consumed here. */
  get partitions(): number[] {
    return [...this.#consumers.keys()].sort((a, b) => a - b);
  }

  /** The consumer of an owned partition. */
  consumer(partition: number): PartitionConsumer | undefined {
    return this.#consumers.get(partition);
  }

  /** Counters so far. */
  get stats(): ClusterWorkerStats {
    return {
      workerId: this.#c.workerId,
      live: this.#live,
      partitions: [...this.#consumers.values()].map((c) => c.stats),
      takeovers: this.#takeovers,
      eventsPublished: this.#eventsPublished,
    };
  }

  /** Writes a snapshot of every owned partition now. */
  async checkpoint(): Promise<void> {
    await Promise.all([...this.#consumers.values()].map((c) => c.checkpoint()));
  }

  /** Leaves gracefully: final snapshots, leases released, so the others take over without replay. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#ticking;
    await Promise.all(this.#moving.values());
    await Promise.all([...this.#consumers.values()].map((c) => c.stop()));
    this.#consumers.clear();
    await this.#leases
      .leave()
      .catch((e) => diag.warn(`vigil cluster: releasing leases failed: ${String(e)}`));
  }

  /** Leaves as a crash would: no snapshot, leases left to expire (for tests and failure drills). */
  async abort(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await Promise.all([...this.#moving.values()].map((w) => w.catch(() => undefined)));
    await Promise.all([...this.#consumers.values()].map((c) => c.abort()));
    this.#consumers.clear();
    this.#leases.forget();
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(
      () => {
        this.#ticking = this.#tick().finally(() => {
          this.#ticking = undefined;
          this.#schedule();
        });
      },
      Math.max(100, this.#c.options.leaseMs / 4),
    );
  }

  // Lease work only: starting and handing off partitions runs beside it, so a takeover of many partitions (restores,
  // replays) never delays the renewals that keep this worker's own leases alive.
  async #tick(): Promise<void> {
    try {
      const changes = await this.#leases.tick();
      this.#live = changes.live.length;
      if (this.#stopped) return;
      for (const p of changes.lost) {
        const consumer = this.#consumers.get(p);
        this.#consumers.delete(p);
        void consumer?.abort();
      }
      if (changes.lost.length > 0) this.#o.onPartitions?.('lost', changes.lost);
      for (const [p, consumer] of this.#consumers)
        if (consumer.lost) {
          this.#consumers.delete(p);
          this.#o.onPartitions?.('lost', [p]);
          void this.#leases.release(p);
        }
      const surplus = changes.surplus.filter((p) => !this.#moving.has(p));
      for (const p of surplus) this.#track(p, this.#handOff(p));
      if (surplus.length > 0) this.#o.onPartitions?.('released', surplus);
      for (const p of changes.acquired) this.#track(p, this.#startPartition(p));
      if (changes.acquired.length > 0) this.#o.onPartitions?.('acquired', changes.acquired);
      this.#publishClock();
    } catch (e) {
      diag.warn(`vigil cluster: worker ${this.#c.workerId} tick failed: ${String(e)}`);
    }
  }

  #track(p: number, work: Promise<void>): void {
    this.#moving.set(p, work);
    void work.finally(() => {
      if (this.#moving.get(p) === work) this.#moving.delete(p);
    });
  }

  async #handOff(p: number): Promise<void> {
    await this.#moving.get(p);
    const consumer = this.#consumers.get(p);
    this.#consumers.delete(p);
    await consumer?.stop();
    await this.#leases.release(p);
  }

  async #startPartition(p: number): Promise<void> {
    const consumer = new PartitionConsumer({
      connection: this.#c,
      bucket: this.#bucket,
      partition: p,
      createPipeline: this.#o.createPipeline,
      onClaimed: (partition) => this.#publish({ type: 'takeover', partition, worker: this.id }),
      onEvent: (partition, event, change) =>
        this.#publish({ type: 'event', change, event, partition, worker: this.id }),
      ...(this.#o.onScore ? { onScore: this.#o.onScore } : {}),
      ...(this.#o.onCaughtUp ? { onCaughtUp: this.#o.onCaughtUp } : {}),
    });
    try {
      const info = await consumer.start();
      // The lease may have lapsed, or the worker stopped, while the partition was restored.
      if (this.#stopped || !this.#leases.held.includes(p)) {
        await consumer.abort();
        return;
      }
      this.#consumers.set(p, consumer);
      if (info.fromSeq > 0) this.#takeovers++;
    } catch (e) {
      diag.error(`vigil cluster: taking over partition ${p} failed: ${String(e)}`);
      await consumer.abort();
      await this.#leases.release(p);
    }
  }

  #publishClock(): void {
    let clock = Number.NEGATIVE_INFINITY;
    for (const c of this.#consumers.values()) clock = Math.max(clock, c.stats.clock);
    if (clock > this.#lastClock) {
      this.#lastClock = clock;
      this.#publish({ type: 'clock', t: clock, worker: this.id });
    }
  }

  #publish(message: ClusterEventMessage): void {
    if (message.type === 'event') this.#eventsPublished++;
    this.#c.js
      .publish(this.#c.names.eventsSubject, JSON.stringify(message))
      .catch((e) => diag.error(`vigil cluster: publishing an event failed: ${String(e)}`));
  }
}
