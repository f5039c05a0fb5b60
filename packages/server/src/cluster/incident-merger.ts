import { AckPolicy, type ConsumerMessages, DeliverPolicy } from '@nats-io/jetstream';
import { diag } from '@opentelemetry/api';
import {
  type AnomalyEvent,
  type Incident,
  type IncidentChange,
  IncidentGrouper,
  rankRootCauses,
  Topology,
} from '@vigil/core';
import type { ClusterConnection } from './cluster-connection.js';
import type { ClusterEventMessage } from './cluster-worker.js';
import { type MergerSnapshot, MergerStore, type OpenEventEntry } from './merger-store.js';

/** Options of an {@link IncidentMerger}. */
export interface IncidentMergerOptions {
  /** Events starting within this many ms of an open incident's activity join it (as in the Pipeline). */
  incidentWindow: number;
  onEvent?: (event: AnomalyEvent, change: 'open' | 'close') => void;
  onIncident?: (incident: Incident, change: IncidentChange) => void;
}

/** Counters of the merger. */
export interface IncidentMergerStats {
  /** Whether this process holds the merger lease. */
  leader: boolean;
  events: number;
  /** Events seen twice (a partition replayed after a failover re-announced them) and ignored. */
  repeated: number;
  incidents: number;
  /** Merger snapshots written by this process, and the stream sequence the last one covers. */
  snapshots: number;
  snapshotSeq: number;
  /** Open incidents restored when this process took the lead. */
  restoredIncidents: number;
  /** Events of a partition's previous owner closed because its successor did not continue them. */
  orphansClosed: number;
}

/** Most event keys kept for recognising repeats (and saved in the snapshot). */
const REMEMBERED_EVENTS = 20_000;

/**
 * Groups the anomaly events of every partition into incidents, so an incident spans series scored on different
 * workers. One merger is active in a cluster: the process holding the `merger` lease in the leases bucket (renewed
 * every `leaseMs / 4`, taken over when it expires).
 *
 * It survives its own failover: its state (open incidents with their ids, events in progress by partition, the
 * event keys it has seen, the incident clock) is saved in the snapshots bucket with the events-stream sequence it
 * covers — right after every announcement to the outputs, and every `snapshotIntervalMs` otherwise — fenced by
 * compare-and-set so a deposed leader cannot overwrite its successor. A new leader restores it and reads the events
 * stream from the next sequence, so open incidents continue under the same ids and nothing is announced twice
 * (announce, then save: only a crash between the two repeats the last announcement).
 *
 * An event announced again by a partition replaying after a failover is recognised by series, start and change and
 * ignored. When a partition changes hands, its new owner lists the events its restored alert state continues; the
 * other events its previous owner left open are closed once the new owner has replayed the stream without
 * announcing them again. The incident clock is the latest point time any partition reported. Incidents are ranked by
 * root cause on the call graph inferred from the series keys (the merger holds no histories).
 */
export class IncidentMerger {
  readonly #c: ClusterConnection;
  readonly #o: IncidentMergerOptions;
  readonly #store: MergerStore;
  #grouper: IncidentGrouper;
  #seen = new Set<string>();
  /** Events in progress by partition: who opened them, and whether a takeover left them waiting for a successor. */
  #openByPartition = new Map<number, Map<string, OpenEventEntry>>();
  readonly #stats: IncidentMergerStats = {
    leader: false,
    events: 0,
    repeated: 0,
    incidents: 0,
    snapshots: 0,
    snapshotSeq: 0,
    restoredIncidents: 0,
    orphansClosed: 0,
  };
  /** Announcements made while handling the current message, saved right after it. */
  #announced = false;
  #revision = 0;
  #seq = 0;
  #savedSeq = 0;
  #savedAt = 0;
  #messages: ConsumerMessages | undefined;
  #loop: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #clock = Number.NEGATIVE_INFINITY;

  private constructor(connection: ClusterConnection, options: IncidentMergerOptions) {
    this.#c = connection;
    this.#o = options;
    this.#store = new MergerStore(connection.snapshots);
    this.#grouper = this.#newGrouper();
  }

  /** Starts competing for the merger lease; resolves after the first attempt. */
  static async start(connection: ClusterConnection, options: IncidentMergerOptions): Promise<IncidentMerger> {
    const merger = new IncidentMerger(connection, options);
    await merger.#tick();
    merger.#schedule();
    return merger;
  }

  /** Counters so far. */
  get stats(): IncidentMergerStats {
    return { ...this.#stats };
  }

  /** Incidents open in this merger (empty unless it leads). */
  get openIncidents(): Incident[] {
    return this.#grouper.openIncidents;
  }

  /** Stops merging (with a last snapshot) and gives the lease up so another process takes over at once. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#halt();
    if (this.#stats.leader) {
      await this.#save(true);
      await this.#c.leases.delete('merger', { previousSeq: this.#revision }).catch(() => undefined);
    }
    this.#stats.leader = false;
  }

  /** Stops as a crash would: no snapshot, the lease is left to expire. */
  async abort(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#halt();
    this.#stats.leader = false;
  }

  #newGrouper(): IncidentGrouper {
    return new IncidentGrouper(this.#o.incidentWindow, (incident, change) => {
      if (change === 'opened') this.#stats.incidents++;
      this.#announced = true;
      const onIncident = this.#o.onIncident;
      if (!onIncident) return;
      try {
        const topology = Topology.fromSeriesKeys(incident.series);
        onIncident({ ...incident, rootCauses: rankRootCauses(incident, { topology }) }, change);
      } catch (e) {
        diag.error(`vigil cluster: onIncident threw: ${String(e)}`);
      }
    });
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(
      () => void this.#tick().finally(() => this.#schedule()),
      Math.max(100, this.#c.options.leaseMs / 4),
    );
  }

  async #tick(): Promise<void> {
    try {
      if (this.#stats.leader) {
        try {
          this.#revision = await this.#c.leases.update('merger', this.#c.workerId, this.#revision);
        } catch {
          await this.#depose();
          return;
        }
        // A quiet stream still gets its snapshot (the clock and closes since the last one).
        if (Date.now() - this.#savedAt >= this.#c.options.snapshotIntervalMs) await this.#save();
        return;
      }
      try {
        this.#revision = await this.#c.leases.create('merger', this.#c.workerId);
      } catch {
        return; // another process leads
      }
      this.#stats.leader = true;
      await this.#lead();
    } catch (e) {
      diag.warn(`vigil cluster: incident merger tick failed: ${String(e)}`);
    }
  }

  async #depose(): Promise<void> {
    this.#stats.leader = false;
    await this.#halt();
  }

  async #lead(): Promise<void> {
    const { jsm, js, names, workerId } = this.#c;
    const snapshot = await this.#store.claim(workerId);
    this.#restore(snapshot);
    // Each leader reads through its own consumer from the sequence after the snapshot; its predecessors' go.
    const name = `${names.mergerConsumer}-${this.#store.revision}`;
    for await (const ci of jsm.consumers.list(names.eventsStream))
      if (ci.name.startsWith(names.mergerConsumer))
        await jsm.consumers.delete(names.eventsStream, ci.name).catch(() => false);
    await jsm.consumers.add(names.eventsStream, {
      durable_name: name,
      ack_policy: AckPolicy.Explicit,
      ack_wait: 30_000_000_000,
      ...(this.#seq > 0
        ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: this.#seq + 1 }
        : { deliver_policy: DeliverPolicy.All }),
    });
    const consumer = await js.consumers.get(names.eventsStream, name);
    this.#messages = await consumer.consume({ max_messages: 256 });
    const messages = this.#messages;
    this.#loop = (async () => {
      for await (const m of messages) {
        this.#seq = m.seq;
        try {
          this.#handle(JSON.parse(m.string()) as ClusterEventMessage);
        } catch (e) {
          diag.warn(`vigil cluster: ignoring a malformed event message: ${String(e)}`);
        }
        if (this.#announced) {
          this.#announced = false;
          await this.#save(true);
        }
        m.ack();
      }
    })().catch((e) => diag.error(`vigil cluster: incident merger stopped: ${String(e)}`));
  }

  #restore(snapshot: MergerSnapshot | undefined): void {
    this.#grouper = this.#newGrouper();
    this.#seen = new Set();
    this.#openByPartition = new Map();
    this.#clock = Number.NEGATIVE_INFINITY;
    this.#seq = 0;
    if (!snapshot) return;
    this.#grouper.restore(snapshot.grouper);
    this.#seen = new Set(snapshot.seen);
    for (const [p, entries] of snapshot.open)
      this.#openByPartition.set(
        p,
        new Map(entries.map((e) => [e.key, { ...e, event: reviveEvent(e.event) }] as const)),
      );
    this.#clock = snapshot.clock ?? Number.NEGATIVE_INFINITY;
    this.#seq = snapshot.seq;
    this.#savedSeq = snapshot.seq;
    this.#stats.restoredIncidents = snapshot.grouper.open.length;
  }

  /** Saves the state at the current sequence (unless nothing was read since the last save and `force` is unset). */
  async #save(force = false): Promise<void> {
    if (!this.#stats.leader) return;
    this.#savedAt = Date.now();
    if (!force && this.#seq === this.#savedSeq) return;
    const seen = [...this.#seen];
    const snapshot: MergerSnapshot = {
      version: 1,
      owner: this.#c.workerId,
      seq: this.#seq,
      takenAt: Date.now(),
      clock: Number.isFinite(this.#clock) ? this.#clock : null,
      grouper: this.#grouper.toJSON(),
      seen: seen.slice(Math.max(0, seen.length - REMEMBERED_EVENTS)),
      open: [...this.#openByPartition].map(([p, m]) => [p, [...m.values()]]),
    };
    try {
      await this.#store.save(snapshot);
      this.#savedSeq = snapshot.seq;
      this.#stats.snapshots++;
      this.#stats.snapshotSeq = snapshot.seq;
    } catch (e) {
      // Another process leads now (it claimed the state): stop before announcing anything more.
      diag.error(`vigil cluster: saving the incident merger's state failed, stepping down: ${String(e)}`);
      await this.#c.leases.delete('merger', { previousSeq: this.#revision }).catch(() => undefined);
      this.#stats.leader = false;
      this.#messages?.stop();
    }
  }

  #handle(message: ClusterEventMessage): void {
    if (message.type === 'takeover') {
      // Events the new owner's restored alert state continues change hands; the others wait for its replay.
      const open = this.#openByPartition.get(message.partition);
      const continued = new Set(message.open ?? []);
      for (const [key, entry] of open ?? []) {
        if (entry.worker === message.worker) continue;
        if (continued.has(key)) {
          entry.worker = message.worker;
          entry.orphaned = false;
        } else entry.orphaned = true;
      }
      return;
    }
    if (message.type === 'caughtUp') {
      // The replay is applied: an event of the previous owner the new one did not announce again is over.
      const open = this.#openByPartition.get(message.partition);
      for (const [key, entry] of open ?? []) {
        if (!entry.orphaned) continue;
        open!.delete(key);
        this.#stats.orphansClosed++;
        this.#grouper.add(entry.event, false);
      }
      return;
    }
    if (message.type === 'clock') {
      if (message.t > this.#clock) {
        this.#clock = message.t;
        this.#grouper.advance(message.t);
      }
      return;
    }
    const event = reviveEvent(message.event);
    const eventKey = `${event.seriesKey}@${event.start}`;
    const key = `${eventKey}/${message.change}`;
    let open = this.#openByPartition.get(message.partition);
    if (this.#seen.has(key)) {
      this.#stats.repeated++;
      // The new owner replayed it: the event is its own now.
      const entry = open?.get(eventKey);
      if (entry && message.change === 'open') {
        entry.worker = message.worker;
        entry.orphaned = false;
      }
      return;
    }
    if (this.#seen.size >= REMEMBERED_EVENTS) this.#seen.delete(this.#seen.values().next().value as string);
    this.#seen.add(key);
    this.#stats.events++;
    this.#announced = true;
    try {
      this.#o.onEvent?.(event, message.change);
    } catch (err) {
      diag.error(`vigil cluster: onEvent threw: ${String(err)}`);
    }
    if (!open) {
      open = new Map();
      this.#openByPartition.set(message.partition, open);
    }
    if (message.change === 'open')
      open.set(eventKey, { key: eventKey, event, worker: message.worker, orphaned: false });
    else open.delete(eventKey);
    this.#grouper.add(event, message.change === 'open');
  }

  async #halt(): Promise<void> {
    const messages = this.#messages;
    this.#messages = undefined;
    if (messages) {
      messages.stop();
      await this.#loop;
    }
  }
}

/** An event as it came back from JSON: null where it had NaN. */
function reviveEvent(e: AnomalyEvent): AnomalyEvent {
  return { ...e, observed: e.observed ?? Number.NaN, expected: e.expected ?? Number.NaN };
}
