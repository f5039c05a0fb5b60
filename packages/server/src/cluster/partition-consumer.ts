import { AckPolicy, type ConsumerMessages, DeliverPolicy, type JsMsg } from '@nats-io/jetstream';
import { diag } from '@opentelemetry/api';
import type { Pipeline, PipelineSnapshot, PointScore, SeriesSnapshot } from '@vigil/core';
import type { ClusterConnection } from './cluster-connection.js';
import { type PartitionSnapshot, recordInLedger, type SeriesLedger } from './partition-snapshot.js';
import type { PointTriple } from './point-publisher.js';
import type { SnapshotBucket } from './snapshot-bucket.js';

/** What a worker learns when it takes a partition over. */
export interface TakeoverInfo {
  partition: number;
  /** Stream sequence of the snapshot restored (0: none, the whole stream is replayed). */
  fromSeq: number;
  /** Series restored, and how many of them with a fitted detector. */
  restoredSeries: number;
  restoredDetectors: number;
  /** Gzipped bytes of the snapshot loaded. */
  snapshotBytes: number;
  /** Messages waiting in the stream after the snapshot when the consumer was created (the replay). */
  replayMessages: number;
  /** Milliseconds from the start of the takeover to the consumer being ready. */
  restoreMs: number;
}

/** Options of a `PartitionConsumer`. */
export interface PartitionConsumerOptions {
  connection: ClusterConnection;
  bucket: SnapshotBucket;
  partition: number;
  /**
   * The worker's one Pipeline, shared by every partition it holds: this partition's series are restored into it,
   * scored in it and removed from it when the partition leaves.
   */
  pipeline: Pipeline;
  /** Renews the worker's leases now if they are due: called before heavy synchronous work (a snapshot). */
  renewLeases?: () => Promise<void>;
  onScore?: (seriesKey: string, t: number, value: number, score: PointScore | undefined) => void;
  /**
   * Called once the partition is claimed and restored, before any of its points is applied, with the events the
   * restored alert state holds open (`<seriesKey>@<start>`): the new owner continues them.
   */
  onClaimed?: (partition: number, openEvents: string[]) => void;
  /** Called once the replay after the snapshot has been applied (also when there was nothing to replay). */
  onCaughtUp?: (info: TakeoverInfo) => void;
}

/** Counters of one owned partition. */
export interface PartitionStats {
  partition: number;
  /** Stream sequence of the last message applied. */
  seq: number;
  /** Points applied to the Pipeline, and points skipped because their series already had a point at or after. */
  applied: number;
  stale: number;
  /** Points that were not `[key, t, value]`. */
  malformed: number;
  snapshots: number;
  /** Stream sequence the last snapshot written covers. */
  snapshotSeq: number;
  /** Gzipped bytes of the last snapshot written, and the milliseconds it took. */
  snapshotBytes: number;
  snapshotMs: number;
  /** Latest point time seen, ms. */
  clock: number;
}

/** Longest synchronous stretch of applying messages before the loop yields to timers (lease renewals), ms. */
const YIELD_AFTER_MS = 20;

/**
 * One partition owned by this worker: claims it in the snapshot bucket, restores its series (detectors, histories,
 * alert state) and ledger from the snapshot into the worker's Pipeline, and consumes the partition's subject from
 * the snapshot's stream sequence onward through a durable consumer, writing a new snapshot of its series every
 * `snapshotIntervalMs`. A point whose series already has a point at or after its time is skipped (idempotent by
 * series and timestamp), so a replay never counts a point twice. When the partition leaves (hand-off, lost lease,
 * crash drill) its series are removed from the Pipeline.
 */
export class PartitionConsumer {
  readonly partition: number;
  readonly #o: PartitionConsumerOptions;
  readonly #ledger = new Map<string, SeriesLedger>();
  readonly #pipeline: Pipeline;
  #active = false;
  #released = false;
  #messages: ConsumerMessages | undefined;
  #loop: Promise<void> | undefined;
  #revision = 0;
  #lastSnapshotSeq = 0;
  #lastSnapshotAt = 0;
  #checkpointing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #lost = false;
  readonly #stats: PartitionStats;

  constructor(options: PartitionConsumerOptions) {
    this.#o = options;
    this.#pipeline = options.pipeline;
    this.partition = options.partition;
    this.#stats = {
      partition: options.partition,
      seq: 0,
      applied: 0,
      stale: 0,
      malformed: 0,
      snapshots: 0,
      snapshotSeq: 0,
      snapshotBytes: 0,
      snapshotMs: 0,
      clock: Number.NEGATIVE_INFINITY,
    };
  }

  /** Counters so far. */
  get stats(): PartitionStats {
    return { ...this.#stats, snapshotSeq: this.#lastSnapshotSeq };
  }

  /** The worker's Pipeline, where this partition's series are scored. */
  get pipeline(): Pipeline {
    return this.#pipeline;
  }

  /** True from the claim until the partition stops or is lost: its series' events are this worker's to announce. */
  get active(): boolean {
    return this.#active && !this.#lost;
  }

  /** What this partition has applied, per series (restored from the snapshot, then kept up to date). */
  get ledger(): ReadonlyMap<string, Readonly<SeriesLedger>> {
    return this.#ledger;
  }

  /** True once another worker claimed the partition (a snapshot write was refused). */
  get lost(): boolean {
    return this.#lost;
  }

  /** Claims the partition, restores it and starts consuming; resolves when the consumer is ready. */
  async start(): Promise<TakeoverInfo> {
    const started = performance.now();
    const { connection: c, bucket, partition: p } = this.#o;
    const claim = await bucket.claim(p, c.workerId);
    this.#revision = claim.revision;
    const pipeline = this.#pipeline;
    let restoredDetectors = 0;
    const snapshot = claim.snapshot;
    const openEvents: string[] = [];
    if (snapshot) {
      // Restoring a partition's detectors is heavy synchronous work: renew the worker's leases first.
      await this.#o.renewLeases?.();
      restoredDetectors = pipeline.restore(snapshot.pipeline);
      for (const [key, l] of Object.entries(snapshot.ledger)) {
        this.#ledger.set(key, { ...l });
        if (l.lastT > this.#stats.clock) this.#stats.clock = l.lastT;
      }
      this.#stats.seq = snapshot.seq;
      for (const s of snapshot.pipeline.series)
        if (s.alert?.run?.opened) openEvents.push(`${s.key}@${s.alert.run.start}`);
    }
    this.#active = true;
    this.#o.onClaimed?.(p, openEvents);
    this.#lastSnapshotSeq = this.#stats.seq;
    this.#lastSnapshotAt = Date.now();
    const name = c.names.consumer(p, claim.revision);
    // Each owner reads through its own consumer, starting right after the snapshot; deleting the previous owners'
    // cuts off one that is stalled rather than dead (it could otherwise take messages meant for this one).
    const stale: string[] = [];
    for await (const ci of c.jsm.consumers.list(c.names.pointsStream))
      if (c.names.isConsumerOf(ci.name, p)) stale.push(ci.name);
    for (const old of stale) await c.jsm.consumers.delete(c.names.pointsStream, old).catch(() => false);
    const info = await c.jsm.consumers.add(c.names.pointsStream, {
      durable_name: name,
      filter_subject: c.names.pointsSubject(p),
      ack_policy: AckPolicy.Explicit,
      ack_wait: 30_000_000_000,
      max_ack_pending: 10_000,
      ...(this.#stats.seq > 0
        ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: this.#stats.seq + 1 }
        : { deliver_policy: DeliverPolicy.All }),
    });
    const takeover: TakeoverInfo = {
      partition: p,
      fromSeq: this.#stats.seq,
      restoredSeries: snapshot?.pipeline.series.length ?? 0,
      restoredDetectors,
      snapshotBytes: claim.bytes,
      replayMessages: info.num_pending,
      restoreMs: performance.now() - started,
    };
    const consumer = await c.js.consumers.get(c.names.pointsStream, name);
    this.#messages = await consumer.consume({ max_messages: 256 });
    const messages = this.#messages;
    void (async () => {
      for await (const status of messages.status())
        if (status.type === 'consumer_deleted' || status.type === 'consumer_not_found') {
          // A successor claimed the partition and removed this owner's consumer.
          this.#lost = true;
          void this.abort();
          return;
        }
    })().catch(() => undefined);
    let toReplay = info.num_pending;
    if (toReplay === 0) this.#o.onCaughtUp?.(takeover);
    this.#loop = (async () => {
      let busySince = performance.now();
      for await (const m of this.#messages!) {
        this.#apply(m);
        m.ack();
        if (toReplay > 0 && --toReplay === 0) this.#o.onCaughtUp?.(takeover);
        // The snapshot is taken in one synchronous step and written while consuming goes on.
        if (Date.now() - this.#lastSnapshotAt >= c.options.snapshotIntervalMs) void this.checkpoint();
        // A long replay is many messages already buffered: yield now and then so lease timers still fire.
        if (performance.now() - busySince > YIELD_AFTER_MS) {
          await new Promise((r) => setImmediate(r));
          busySince = performance.now();
        }
      }
    })().catch((e) => diag.error(`vigil cluster: partition ${p} stopped consuming: ${String(e)}`));
    // Snapshots also happen when no message arrives, so a quiet partition's replay stays short.
    this.#timer = setInterval(() => {
      if (Date.now() - this.#lastSnapshotAt >= c.options.snapshotIntervalMs) void this.checkpoint();
    }, c.options.snapshotIntervalMs);
    this.#timer.unref();
    return takeover;
  }

  /**
   * Writes a snapshot of the partition now unless nothing changed since the last one. Its series' state in the
   * Pipeline (a series in the middle of a refit is saved with its current model and refits after a restore), the
   * ledger and the stream sequence are read in one synchronous step, so they always agree.
   */
  checkpoint(): Promise<void> {
    if (!this.#checkpointing) {
      // Cleared asynchronously: a run that returns at once must not clear the field before it is set.
      const run = this.#writeSnapshot().finally(() => {
        if (this.#checkpointing === run) this.#checkpointing = undefined;
      });
      this.#checkpointing = run;
    }
    return this.#checkpointing;
  }

  async #writeSnapshot(): Promise<void> {
    try {
      if (this.#lost || this.#released) return;
      this.#lastSnapshotAt = Date.now();
      if (this.#stats.seq === this.#lastSnapshotSeq && this.#stats.snapshots > 0) return;
      // Serialising and gzipping a partition is the heaviest work a worker does: renew its leases first.
      await this.#o.renewLeases?.();
      if (this.#lost || this.#released) return;
      const t0 = performance.now();
      const snapshot: PartitionSnapshot = {
        version: 1,
        partition: this.partition,
        seq: this.#stats.seq,
        takenAt: Date.now(),
        owner: this.#o.connection.workerId,
        ledger: Object.fromEntries(this.#ledger),
        pipeline: this.#seriesSnapshot(),
      };
      const saved = await this.#o.bucket.save(this.partition, snapshot, this.#revision);
      this.#revision = saved.revision;
      this.#lastSnapshotSeq = snapshot.seq;
      this.#stats.snapshotSeq = snapshot.seq;
      this.#stats.snapshots++;
      this.#stats.snapshotBytes = saved.bytes;
      this.#stats.snapshotMs = performance.now() - t0;
    } catch (e) {
      if ((e as { code?: string }).code === 'PARTITION_LOST') {
        this.#lost = true;
        void this.abort();
      }
      diag.error(`vigil cluster: snapshot of partition ${this.partition} failed: ${String(e)}`);
    }
  }

  /**
   * Stops consuming, writes a last snapshot (so the next owner replays nothing: a graceful hand-off) and removes the
   * partition's series from the Pipeline.
   */
  async stop(): Promise<void> {
    await this.#halt();
    await this.#checkpointing;
    await this.checkpoint();
    this.#release();
  }

  /**
   * Stops consuming without a snapshot, as a crash would (the next owner replays from the last snapshot), and
   * removes the partition's series from the Pipeline.
   */
  async abort(): Promise<void> {
    await this.#halt();
    await this.#checkpointing;
    this.#release();
  }

  /** This partition's series of the Pipeline, as a Pipeline snapshot of its own. */
  #seriesSnapshot(): PipelineSnapshot {
    const series: SeriesSnapshot[] = [];
    for (const key of this.#ledger.keys()) {
      const s = this.#pipeline.snapshotSeries(key);
      if (s) series.push(s);
    }
    return { version: 1, takenAt: Date.now(), series };
  }

  // Events its series close on the way out are not announced (the worker routes only active partitions): the next
  // owner continues them from the snapshot.
  #release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#active = false;
    for (const key of this.#ledger.keys()) this.#pipeline.removeSeries(key);
  }

  async #halt(): Promise<void> {
    this.#active = false;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    const messages = this.#messages;
    this.#messages = undefined;
    if (messages) {
      messages.stop();
      await this.#loop;
    }
  }

  #apply(m: JsMsg): void {
    this.#stats.seq = m.seq;
    let points: PointTriple[];
    try {
      points = JSON.parse(m.string()) as PointTriple[];
    } catch {
      this.#stats.malformed++;
      return;
    }
    if (!Array.isArray(points)) {
      this.#stats.malformed++;
      return;
    }
    const pipeline = this.#pipeline;
    const onScore = this.#o.onScore;
    for (const point of points) {
      if (!Array.isArray(point) || typeof point[0] !== 'string' || typeof point[1] !== 'number') {
        this.#stats.malformed++;
        continue;
      }
      const [key, t] = point;
      const value = typeof point[2] === 'number' ? point[2] : Number.NaN;
      let l = this.#ledger.get(key);
      if (l && t <= l.lastT) {
        this.#stats.stale++;
        continue;
      }
      if (!l) {
        l = { n: 0, lastT: Number.NEGATIVE_INFINITY, sum32: 0 };
        this.#ledger.set(key, l);
      }
      recordInLedger(l, t);
      if (t > this.#stats.clock) this.#stats.clock = t;
      this.#stats.applied++;
      const score = pipeline.push(key, t, value);
      onScore?.(key, t, value, score);
    }
  }
}
