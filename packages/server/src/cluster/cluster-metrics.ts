import { Counter, Gauge, type Registry } from 'prom-client';
import type { ClusterNode } from './cluster-node.js';

/**
 * Adds a cluster member's metrics (`vigil_cluster_*`) to the service's Prometheus registry, read at each scrape:
 * partitions held, live workers, points by outcome (published, failed, refused at the receiver; applied, stale at the
 * worker), snapshot bytes, takeovers, lease renewals (lapses, late rounds, the longest gap), and whether this member
 * leads the incident merger.
 *
 * @example
 * registerClusterMetrics(registry, () => service.cluster);
 */
export function registerClusterMetrics(registry: Registry, node: () => ClusterNode | undefined): void {
  const gauge = (name: string, help: string, read: (n: ClusterNode) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        const n = node();
        if (n) this.set(read(n));
      },
    });
  gauge('vigil_cluster_partitions', 'Partitions this worker holds.', (n) => n.worker?.partitions.length ?? 0);
  gauge(
    'vigil_cluster_workers_live',
    'Live workers seen on the last lease round.',
    (n) => n.worker?.stats.live ?? 0,
  );
  gauge('vigil_cluster_snapshot_bytes', 'Gzipped bytes of the last snapshots of the partitions held.', (n) =>
    (n.worker?.stats.partitions ?? []).reduce((a, p) => a + p.snapshotBytes, 0),
  );
  gauge('vigil_cluster_merger_leader', '1 when this member merges incidents.', (n) =>
    n.merger.stats.leader ? 1 : 0,
  );
  gauge(
    'vigil_cluster_takeovers',
    'Partitions taken over from a snapshot since start.',
    (n) => n.worker?.stats.takeovers ?? 0,
  );
  const total = (name: string, help: string, read: (n: ClusterNode) => number) => {
    const c: Counter<string> = new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        const n = node();
        if (!n) return;
        c.reset();
        const v = read(n);
        if (v > 0) c.inc(v);
      },
    });
  };
  total(
    'vigil_cluster_lease_lapses_total',
    'Partition leases this worker lost while alive: a renewal came after the lease expired and another worker had claimed the partition.',
    (n) => n.worker?.stats.leases.lapses ?? 0,
  );
  total(
    'vigil_cluster_lease_renewals_late_total',
    'Lease renewal rounds that started more than leaseMs after the previous successful one (the event loop was blocked or NATS slow).',
    (n) => n.worker?.stats.leases.lateRenewals ?? 0,
  );
  gauge(
    'vigil_cluster_lease_renewal_gap_max_seconds',
    'Longest time between two successful lease renewal rounds since start.',
    (n) => (n.worker?.stats.leases.maxGapMs ?? 0) / 1000,
  );
  total(
    'vigil_cluster_merger_snapshots_total',
    'Incident merger states saved by this member while it led.',
    (n) => n.merger.stats.snapshots,
  );
  const points: Counter<string> = new Counter({
    name: 'vigil_cluster_points_total',
    help: 'Points by outcome: published, publish_failed, refused (receiver side); applied, stale (partitions held now).',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      const n = node();
      if (!n) return;
      points.reset();
      const pub = n.publisher.stats;
      const parts = n.worker?.stats.partitions ?? [];
      const outcomes: Array<[string, number]> = [
        ['published', pub.published],
        ['publish_failed', pub.failed],
        ['refused', pub.dropped],
        ['applied', parts.reduce((a, p) => a + p.applied, 0)],
        ['stale', parts.reduce((a, p) => a + p.stale, 0)],
      ];
      for (const [outcome, v] of outcomes) if (v > 0) points.inc({ outcome }, v);
    },
  });
}
