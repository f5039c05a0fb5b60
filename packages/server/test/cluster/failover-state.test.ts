import type { AnomalyEvent, Incident, IncidentChange } from '@vigil/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterConnection } from '../../src/cluster/cluster-connection.js';
import { connectCluster } from '../../src/cluster/cluster-connection.js';
import { IncidentMerger } from '../../src/cluster/incident-merger.js';
import { MergerStore } from '../../src/cluster/merger-store.js';
import { PartitionLeases } from '../../src/cluster/partition-leases.js';
import { partitionOf } from '../../src/cluster/partition-of.js';
import { PointPublisher } from '../../src/cluster/point-publisher.js';
import { caughtUp, clusterOptions, lastSequences, startWorker } from '../helpers/cluster-fixture.js';
import { until } from '../helpers/http-sink.js';
import { type NatsServerProcess, natsUnavailable, startNatsServer } from '../helpers/nats-server.js';
import { noise } from '../helpers/otlp-json.js';

const skip = natsUnavailable();
if (skip) console.warn(`cluster failover-state tests skipped: ${skip}`);

const T0 = Date.parse('2026-03-01T00:00:00Z');
const STEP = 10_000;
const SERIES = Array.from({ length: 24 }, (_, i) => `svc-${i}/latency`);

let nats: NatsServerProcess;
const connections: ClusterConnection[] = [];
beforeAll(async () => {
  if (!skip) nats = await startNatsServer();
});
afterAll(async () => {
  await nats?.stop();
});
afterEach(async () => {
  await Promise.all(connections.splice(0).map((c) => c.nc.close().catch(() => undefined)));
});

async function connect(name: string, workerId: string, extra: Record<string, unknown>) {
  const c = await connectCluster(clusterOptions(nats.url, { name, workerId, ...extra }));
  connections.push(c);
  return c;
}

describe.skipIf(skip !== undefined)(
  'failover keeps alert state and open incidents (real nats-server)',
  () => {
    it('kills the worker and merger holding an open incident: the survivor continues it, nothing lost or announced twice', async () => {
      const name = 'fo1';
      // A generous lease: on a loaded machine a shorter one may move the merger before the drill does.
      const opts = { leaseMs: 3000, snapshotIntervalMs: 600_000, partitions: 16 };
      // Every announcement of both mergers, in order.
      const events: Array<[string, AnomalyEvent, 'open' | 'close']> = [];
      const incidents: Array<[string, Incident, IncidentChange]> = [];
      const member = async (id: string) => {
        const w = await startWorker(nats.url, id, { name, ...opts });
        connections.push(w.connection);
        const merger = await IncidentMerger.start(w.connection, {
          incidentWindow: 60_000,
          onEvent: (e, change) => events.push([id, e, change]),
          onIncident: (i, change) => incidents.push([id, i, change]),
        });
        return { ...w, merger };
      };
      const a = await member('a');
      expect(a.merger.stats.leader).toBe(true);
      const b = await member('b');
      await until(
        () => a.worker.partitions.length === 8 && b.worker.partitions.length === 8,
        15_000,
        'a balanced assignment',
      );
      // One spiking series held by each worker: the incident spans both.
      const onA = SERIES.find((k) => a.worker.partitions.includes(partitionOf(k, 16)))!;
      const onB = SERIES.find((k) => b.worker.partitions.includes(partitionOf(k, 16)))!;
      const publisher = new PointPublisher(await connect(name, 'rx', opts));
      const r = noise(11);
      let rounds = 0;
      const publish = async (from: number, to: number) => {
        for (let i = from; i < to; i++) {
          rounds = i + 1;
          for (const key of SERIES) {
            const spike = (key === onA || key === onB) && i >= 120 && i < 128 ? 80 : 0;
            publisher.push(key, T0 + i * STEP, 100 + 3 * r() + spike);
          }
          await publisher.flush();
        }
      };
      const waitApplied = async (workers: Array<typeof a.worker>) => {
        const seqs = await lastSequences(a.connection.nc.isClosed() ? b.connection : a.connection);
        await until(() => caughtUp(workers, seqs), 30_000, 'the partitions to apply the stream');
      };
      await publish(0, 100);
      await waitApplied([a.worker, b.worker]);
      // Every series fitted (the fit pools have started and caught up) before the spike.
      await Promise.all([a.worker.pipeline.idle(), b.worker.pipeline.idle()]);
      await publish(100, 122);
      await waitApplied([a.worker, b.worker]);
      await until(
        () => incidents.some(([, i]) => i.series.includes(onA) && i.series.includes(onB)),
        10_000,
        'the incident spanning both workers',
      );
      // Partition snapshots in the middle of the events (alert state with an open run), then more spike points that
      // only the stream holds.
      await Promise.all([a.worker.checkpoint(), b.worker.checkpoint()]);
      await publish(122, 125);
      await waitApplied([a.worker, b.worker]);
      await until(() => a.merger.stats.snapshotSeq > 0, 5_000, 'the merger state saved');
      // (Noise makes a few one-point false alarms of their own: the incident under test is the one with both.)
      const spanning = a.merger.openIncidents.find((i) => i.series.includes(onA) && i.series.includes(onB));
      expect(spanning).toBeDefined();
      const incidentId = spanning!.id;

      // The member holding the merger lease and half the partitions dies.
      await a.worker.abort();
      await a.merger.abort();
      await a.connection.nc.close();
      await publish(125, 170);
      await until(() => b.worker.partitions.length === 16, 20_000, 'the survivor to take every partition');
      await until(() => b.merger.stats.leader, 20_000, 'the survivor to lead the merger');
      await waitApplied([b.worker]);
      // Points keep coming (the incident clock is the points' time) until the incident has been quiet for its window.
      const closed = () => incidents.some(([, i, c]) => c === 'closed' && i.id === incidentId);
      for (let i = 170; i < 230 && !closed(); i++) {
        await publish(i, i + 1);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(closed()).toBe(true);
      // The survivor continued the incident opened before the crash: same id, restored, not reopened.
      expect(b.merger.stats.restoredIncidents).toBeGreaterThanOrEqual(1);
      const changes = incidents.filter(([, i]) => i.id === incidentId);
      expect(changes.filter(([, , c]) => c === 'opened')).toHaveLength(1);
      expect(changes.filter(([, , c]) => c === 'closed')).toHaveLength(1);
      expect(changes.find(([, , c]) => c === 'opened')![0]).toBe('a');
      expect(changes.find(([, , c]) => c === 'closed')![0]).toBe('b');
      expect(changes.at(-1)![1].series).toEqual(expect.arrayContaining([onA, onB]));
      // Every event announced once opening and once closing, across both mergers; none closed for lack of an owner.
      const count = new Map<string, number>();
      for (const [, e, c] of events) {
        const k = `${e.seriesKey}@${e.start}/${c}`;
        count.set(k, (count.get(k) ?? 0) + 1);
      }
      expect([...count.values()].every((n) => n === 1)).toBe(true);
      for (const key of [onA, onB]) {
        const opened = events.filter(([, e, c]) => c === 'open' && e.seriesKey === key);
        const closed = events.filter(([, e, c]) => c === 'close' && e.seriesKey === key);
        expect(opened.length).toBeGreaterThanOrEqual(1);
        expect(closed.map(([, e]) => e.start).sort()).toEqual(opened.map(([, e]) => e.start).sort());
      }
      // The spike of the series whose partition moved was one event across the failover: its close came from b and
      // covers points applied on both sides of the crash.
      const moved = events.find(
        ([, e, c]) => c === 'close' && e.seriesKey === onA && e.start <= T0 + 121 * STEP,
      )!;
      expect(moved[0]).toBe('b');
      expect(moved[1].end).toBeGreaterThanOrEqual(T0 + 125 * STEP);
      expect(b.merger.stats.orphansClosed).toBe(0);
      // And every point applied exactly once by the partitions' current holder.
      await waitApplied([b.worker]);
      const counts = SERIES.map((k) => b.worker.consumer(partitionOf(k, 16))?.ledger.get(k)?.n);
      expect(counts).toEqual(SERIES.map(() => rounds));
      await b.merger.stop();
      await b.worker.stop();
    }, 120_000);

    it('counts a lease that lapsed while its worker was stalled, and fences the stalled merger out', async () => {
      const c = await connect('fo2', 'x', { leaseMs: 1000 });
      const stalled = new PartitionLeases(c.leases, 'stalled', 4, 1000);
      const other = new PartitionLeases(c.leases, 'other', 4, 1000);
      const first = await stalled.tick();
      expect(first.acquired).toHaveLength(4);
      // 'stalled' renews nothing for 2.5 lease periods (a blocked event loop); 'other' keeps ticking and claims.
      const end = Date.now() + 2500;
      while (Date.now() < end) {
        await other.tick();
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(other.held).toHaveLength(4);
      const lost = await stalled.renew();
      expect(lost.sort()).toEqual([0, 1, 2, 3]);
      expect(stalled.stats).toMatchObject({ lapses: 4, lateRenewals: 1 });
      expect(stalled.stats.maxGapMs).toBeGreaterThanOrEqual(2500);
      expect(other.stats.lapses).toBe(0);

      // The merger state: a deposed leader's save is refused once another process claimed it.
      const old = new MergerStore(c.snapshots);
      const state = await old.claim('old');
      await old.save({ ...state, seq: 5 });
      const successor = new MergerStore(c.snapshots);
      expect((await successor.claim('new')).seq).toBe(5);
      await expect(old.save({ ...state, seq: 9 })).rejects.toMatchObject({ code: 'LEADERSHIP_LOST' });
      expect((await successor.read())?.owner).toBe('new');
    });
  },
);
