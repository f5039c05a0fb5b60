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
}

const REMEMBERED_EVENTS = 100_000;

/**
 * Groups the anomaly events of every partition into incidents, so an incident spans series scored on different
 * workers. One merger is active in a cluster: the process holding the `merger` lease in the leases bucket (renewed
 * every `leaseMs / 4`, taken over when it expires). It reads the events subject through a durable consumer, so a new
 * leader continues after the last event its predecessor acknowledged; an event announced again by a partition
 * replaying after a failover is recognised by series, start and change and ignored. The incident clock is the
 * latest point time any partition reported; when a partition changes hands, the events its previous owner left in
 * progress are closed (the alert state that would have closed them is not in the snapshot). Incidents are ranked by root cause on the call graph inferred from the
 * series keys (the merger holds no histories).
 */
export class IncidentMerger {
  readonly #c: ClusterConnection;
  readonly #o: IncidentMergerOptions;
  readonly #grouper: IncidentGrouper;
  readonly #seen = new Set<string>();
  /** Events in progress by partition, with the worker that opened them. */
  readonly #openByPartition = new Map<number, Map<string, { event: AnomalyEvent; worker: string }>>();
  readonly #stats: IncidentMergerStats = { leader: false, events: 0, repeated: 0, incidents: 0 };
  #revision = 0;
  #messages: ConsumerMessages | undefined;
  #loop: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #clock = Number.NEGATIVE_INFINITY;

  private constructor(connection: ClusterConnection, options: IncidentMergerOptions) {
    this.#c = connection;
    this.#o = options;
    this.#grouper = new IncidentGrouper(options.incidentWindow, (incident, change) => {
      if (change === 'opened') this.#stats.incidents++;
      if (!options.onIncident) return;
      try {
        const topology = Topology.fromSeriesKeys(incident.series);
        options.onIncident({ ...incident, rootCauses: rankRootCauses(incident, { topology }) }, change);
      } catch (e) {
        diag.error(`vigil cluster: onIncident threw: ${String(e)}`);
      }
    });
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

  /** Stops merging and gives the lease up so another process takes over at once. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#halt();
    if (this.#stats.leader)
      await this.#c.leases.delete('merger', { previousSeq: this.#revision }).catch(() => undefined);
    this.#stats.leader = false;
  }

  /** Stops as a crash would: the lease is left to expire. */
  async abort(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#halt();
    this.#stats.leader = false;
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
          this.#stats.leader = false;
          await this.#halt();
        }
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

  async #lead(): Promise<void> {
    const { jsm, js, names } = this.#c;
    try {
      await jsm.consumers.info(names.eventsStream, names.mergerConsumer);
    } catch {
      await jsm.consumers.add(names.eventsStream, {
        durable_name: names.mergerConsumer,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: 30_000_000_000,
      });
    }
    const consumer = await js.consumers.get(names.eventsStream, names.mergerConsumer);
    this.#messages = await consumer.consume({ max_messages: 256 });
    const messages = this.#messages;
    this.#loop = (async () => {
      for await (const m of messages) {
        try {
          this.#handle(JSON.parse(m.string()) as ClusterEventMessage);
        } catch (e) {
          diag.warn(`vigil cluster: ignoring a malformed event message: ${String(e)}`);
        }
        m.ack();
      }
    })().catch((e) => diag.error(`vigil cluster: incident merger stopped: ${String(e)}`));
  }

  #handle(message: ClusterEventMessage): void {
    if (message.type === 'takeover') {
      // The previous owner's open events died with its alert state: close them so their incidents can close.
      const open = this.#openByPartition.get(message.partition);
      for (const [key, { event, worker }] of open ?? []) {
        if (worker === message.worker) continue;
        open!.delete(key);
        // If the new owner's replay announces the same event again, it is in progress again.
        this.#seen.delete(`${key}/open`);
        this.#grouper.add(event, false);
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
    const e = message.event;
    // JSON carries NaN as null.
    const event: AnomalyEvent = {
      ...e,
      observed: e.observed ?? Number.NaN,
      expected: e.expected ?? Number.NaN,
    };
    const key = `${event.seriesKey}@${event.start}/${message.change}`;
    if (this.#seen.has(key)) {
      this.#stats.repeated++;
      return;
    }
    if (this.#seen.size >= REMEMBERED_EVENTS) this.#seen.delete(this.#seen.values().next().value as string);
    this.#seen.add(key);
    this.#stats.events++;
    try {
      this.#o.onEvent?.(event, message.change);
    } catch (err) {
      diag.error(`vigil cluster: onEvent threw: ${String(err)}`);
    }
    let open = this.#openByPartition.get(message.partition);
    if (!open) {
      open = new Map();
      this.#openByPartition.set(message.partition, open);
    }
    const eventKey = `${event.seriesKey}@${event.start}`;
    if (message.change === 'open') open.set(eventKey, { event, worker: message.worker });
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
