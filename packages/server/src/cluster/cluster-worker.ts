import { diag } from '@opentelemetry/api';
import type { AnomalyEvent, Pipeline, PointScore } from '@vigil/core';
import type { ClusterConnection } from './cluster-connection.js';
import { PartitionConsumer, type PartitionStats, type TakeoverInfo } from './partition-consumer.js';
import { type LeaseStats, PartitionLeases } from './partition-leases.js';
import { partitionOf } from './partition-of.js';
import { SnapshotBucket } from './snapshot-bucket.js';

/** A message on the events subject, read by the incident merger. */
export type ClusterEventMessage =
  | { type: 'event'; change: 'open' | 'close'; event: AnomalyEvent; partition: number; worker: string }
  | { type: 'clock'; t: number; worker: string }
  /**
   * A worker claimed a partition and restored it; `open` lists the events (`<seriesKey>@<start>`) its restored alert
   * state holds open, which it continues. Other events its previous owner left open are settled at `caughtUp`.
   */
  | { type: 'takeover'; partition: number; worker: string; open: string[] }
  /** The partition's replay after its snapshot is applied: an event of the old owner not announced again is over. */
  | { type: 'caughtUp'; partition: number; worker: string };

/** Options of a {@link ClusterWorker}. */
export interface ClusterWorkerOptions {
  /**
   * Makes the worker's one Pipeline (called once, at start), shared by all the partitions it holds; give it a fit
   * pool (`detectors`) so fits run off the event loop. Its events must go to the callback given.
   */
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
  /** Lease renewals: rounds, lapses (leases lost while alive), late rounds, the longest gap. */
  leases: LeaseStats;
  takeovers: number;
  eventsPublished: number;
}

/**
 * A Vigil worker of a cluster: every `leaseMs / 4` it renews its partition leases and claims its fair share (see
 * `PartitionLeases`); each partition it holds runs as a `PartitionConsumer` (restore from the last
 * snapshot, replay the stream after it, consume, snapshot periodically) feeding the worker's one Pipeline, whose fit
 * pool serves every partition. Anomaly events and the partitions' clocks go to the events subject, where the incident
 * merger groups them. `stop()` hands partitions off gracefully (a final snapshot, then the lease released);
 * `abort()` leaves as a crash would.
 *
 * @example
 * const worker = await ClusterWorker.start(connection, { createPipeline: (onEvent) => new Pipeline({ ... onEvent }) });
 */
export class ClusterWorker {
  readonly #c: ClusterConnection;
  readonly #o: ClusterWorkerOptions;
  readonly #leases: PartitionLeases;
  readonly #bucket: SnapshotBucket;
  readonly #pipeline: Pipeline;
  readonly #consumers = new Map<number, PartitionConsumer>();
  /** Consumers by partition from their claim on, starting ones included: whose events this worker announces. */
  readonly #routing = new Map<number, PartitionConsumer>();
  /** Partitions being started or handed off, with that work. */
  readonly #moving = new Map<number, Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #renewTimer: NodeJS.Timeout | undefined;
  /** Partitions being torn down after their lease was lost: a new start of the same partition waits for it. */
  readonly #leaving = new Map<number, Promise<void>>();
  #ticking: Promise<void> | undefined;
  #stopped = false;
  #live = 0;
  #takeovers = 0;
  #eventsPublished = 0;
  #lastClock = Number.NEGATIVE_INFINITY;

  private constructor(connection: ClusterConnection, options: ClusterWorkerOptions) {
    this.#c = connection;
    this.#o = options;
    this.#leases = new PartitionLeases(
      connection.leases,
      connection.workerId,
      connection.options.partitions,
      connection.options.leaseMs,
    );
    this.#bucket = new SnapshotBucket(connection.snapshots, connection.maxPayload);
    this.#pipeline = options.createPipeline((event, change) => this.#route(event, change));
  }

  /** Joins the cluster: the first tick (heartbeat and claims) has run when this resolves. */
  static async start(connection: ClusterConnection, options: ClusterWorkerOptions): Promise<ClusterWorker> {
    const worker = new ClusterWorker(connection, options);
    await worker.#tick();
    worker.#schedule();
    // Renewals also run from a timer of their own, so a slow claim round (restores, replays) never delays them.
    worker.#renewTimer = setInterval(() => void worker.renewLeases(true), worker.#renewEvery);
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

  /** The worker's Pipeline, scoring the series of every partition it holds. */
  get pipeline(): Pipeline {
    return this.#pipeline;
  }

  /** The consumer of an owned partition. */
  consumer(partition: number): PartitionConsumer | undefined {
    return this.#consumers.get(partition);
  }

  /**
   * Renews this worker's leases now unless a renewal round ran within half the renewal period (`force`: renew
   * anyway); partitions whose lease was lost stop at once. Called before heavy work (a snapshot) and by its timer.
   */
  async renewLeases(force = false): Promise<void> {
    if (this.#stopped) return;
    if (!force && this.#leases.sinceRenewal < this.#renewEvery / 2) return;
    try {
      this.#dropLost(await this.#leases.renew());
    } catch (e) {
      diag.warn(`vigil cluster: worker ${this.#c.workerId} lease renewal failed: ${String(e)}`);
    }
  }

  get #renewEvery(): number {
    return Math.max(100, this.#c.options.leaseMs / 4);
  }

  /** Counters so far. */
  get stats(): ClusterWorkerStats {
    return {
      workerId: this.#c.workerId,
      live: this.#live,
      leases: this.#leases.stats,
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
    clearInterval(this.#renewTimer);
    await this.#ticking;
    await Promise.all(this.#moving.values());
    await Promise.all([...this.#consumers.values()].map((c) => c.stop()));
    this.#consumers.clear();
    await this.#leases
      .leave()
      .catch((e) => diag.warn(`vigil cluster: releasing leases failed: ${String(e)}`));
    await this.#pipeline.close();
  }

  /** Leaves as a crash would: no snapshot, leases left to expire (for tests and failure drills). */
  async abort(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    clearInterval(this.#renewTimer);
    await Promise.all([...this.#moving.values()].map((w) => w.catch(() => undefined)));
    await Promise.all(this.#leaving.values());
    await Promise.all([...this.#consumers.values()].map((c) => c.abort()));
    this.#consumers.clear();
    this.#leases.forget();
    await this.#pipeline.close();
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
      this.#dropLost(changes.lost);
      for (const [p, consumer] of this.#consumers)
        if (consumer.lost) {
          this.#dropLost([p]);
          void this.#leases.release(p);
        }
      const surplus = changes.surplus.filter((p) => !this.#moving.has(p));
      for (const p of surplus) this.#track(p, this.#handOff(p));
      if (surplus.length > 0) this.#o.onPartitions?.('released', surplus);
      // A partition re-acquired while its earlier start or hand-off still runs is settled by that work (a start
      // finds the lease held and goes on; a hand-off releases it): two starts would race for its series.
      for (const p of changes.acquired) if (!this.#moving.has(p)) this.#track(p, this.#startPartition(p));
      if (changes.acquired.length > 0) this.#o.onPartitions?.('acquired', changes.acquired);
      this.#publishClock();
    } catch (e) {
      diag.warn(`vigil cluster: worker ${this.#c.workerId} tick failed: ${String(e)}`);
    }
  }

  /** Stops the consumers of partitions this worker no longer holds (no snapshot: the new owner has them). */
  #dropLost(lost: readonly number[]): void {
    const here = lost.filter((p) => this.#consumers.has(p));
    for (const p of here) {
      const consumer = this.#consumers.get(p)!;
      this.#consumers.delete(p);
      const teardown = consumer.abort().finally(() => {
        if (this.#leaving.get(p) === teardown) this.#leaving.delete(p);
      });
      this.#leaving.set(p, teardown);
    }
    if (here.length > 0) this.#o.onPartitions?.('lost', here);
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
    // Its series must leave the Pipeline before they are restored into it again.
    await this.#leaving.get(p);
    const consumer = new PartitionConsumer({
      connection: this.#c,
      bucket: this.#bucket,
      partition: p,
      pipeline: this.#pipeline,
      renewLeases: () => this.renewLeases(),
      onClaimed: (partition, open) => this.#publish({ type: 'takeover', partition, worker: this.id, open }),
      ...(this.#o.onScore ? { onScore: this.#o.onScore } : {}),
      onCaughtUp: (info) => {
        this.#publish({ type: 'caughtUp', partition: info.partition, worker: this.id });
        this.#o.onCaughtUp?.(info);
      },
    });
    this.#routing.set(p, consumer);
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

  #route(event: AnomalyEvent, change: 'open' | 'close'): void {
    const p = partitionOf(event.seriesKey, this.#c.options.partitions);
    if (!this.#routing.get(p)?.active) return;
    this.#publish({ type: 'event', change, event, partition: p, worker: this.id });
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
