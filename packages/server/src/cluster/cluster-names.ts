/** Names of the JetStream stream, subjects and key-value buckets a cluster called `name` uses. */
export interface ClusterNames {
  /** Stream of points, one subject per partition. */
  readonly pointsStream: string;
  pointsSubject(partition: number): string;
  /**
   * Durable consumer through which a partition's owner reads it; `epoch` (the claim's revision) makes every owner's
   * consumer distinct, so a stalled previous owner can never pull from its successor's.
   */
  consumer(partition: number, epoch: number): string;
  /** True when `name` is one of partition `partition`'s consumers (of any epoch). */
  isConsumerOf(name: string, partition: number): boolean;
  /** Stream of anomaly events and partition clocks, read by the incident merger. */
  readonly eventsStream: string;
  readonly eventsSubject: string;
  readonly mergerConsumer: string;
  /** Key-value bucket of worker heartbeats, partition leases and the merger lease. */
  readonly leasesBucket: string;
  /** Key-value bucket of partition snapshots. */
  readonly snapshotsBucket: string;
}

/** The names of cluster `name` (letters, digits, `-` and `_`). */
export function clusterNames(name: string): ClusterNames {
  const upper = name.toUpperCase().replace(/-/g, '_');
  return {
    pointsStream: `${upper}_POINTS`,
    pointsSubject: (p) => `${name}.points.${p}`,
    consumer: (p, epoch) => `partition-${p}-${epoch}`,
    isConsumerOf: (n, p) => n.startsWith(`partition-${p}-`),
    eventsStream: `${upper}_EVENTS`,
    eventsSubject: `${name}.events`,
    mergerConsumer: 'incident-merger',
    leasesBucket: `${name}-leases`,
    snapshotsBucket: `${name}-snapshots`,
  };
}
