import { hostname } from 'node:os';
import {
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import { type KV, Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { VigilInputError } from '@vigil/core';
import { type ClusterNames, clusterNames } from './cluster-names.js';
import type { ClusterOptions } from './cluster-options.js';

/** A connection to the cluster's NATS with its streams and buckets ready. */
export interface ClusterConnection {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly names: ClusterNames;
  readonly leases: KV;
  readonly snapshots: KV;
  readonly options: ClusterOptions;
  /** This process' name in leases. */
  readonly workerId: string;
  /** Largest message NATS accepts, bytes. */
  readonly maxPayload: number;
}

const NANOS_PER_MS = 1_000_000;

/**
 * Connects to NATS and makes sure the points and events streams and the leases and snapshots buckets exist,
 * creating them on first use (the first member to start creates them; the others open them).
 *
 * @throws {VigilInputError} `INVALID_OPTION` naming `cluster.nats.servers` when NATS cannot be reached or has no
 *   JetStream, `cluster.partitions` or `cluster.leaseMs` when they differ from what the running cluster uses.
 */
export async function connectCluster(options: ClusterOptions): Promise<ClusterConnection> {
  const servers = Array.isArray(options.nats.servers) ? options.nats.servers : [options.nats.servers];
  const workerId = options.workerId ?? `${hostname().replace(/[^A-Za-z0-9_-]/g, '_')}-${process.pid}`;
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers,
      name: `vigil-${workerId}`,
      timeout: options.nats.timeoutMs,
      ...(options.nats.user ? { user: options.nats.user } : {}),
      ...(options.nats.pass ? { pass: options.nats.pass } : {}),
      ...(options.nats.token ? { token: options.nats.token } : {}),
      maxReconnectAttempts: -1,
      // A restarted NATS is found again within half a second (the default waits 2 s between attempts).
      reconnectTimeWait: 500,
    });
  } catch (e) {
    throw new VigilInputError(
      'INVALID_OPTION',
      `cluster.nats.servers: cannot connect to ${servers.join(', ')} (${String((e as Error).message)}); start nats-server with JetStream (-js) or fix the address.`,
      'cluster.nats.servers',
    );
  }
  try {
    const names = clusterNames(options.name);
    let jsm: JetStreamManager;
    try {
      jsm = await jetstreamManager(nc);
    } catch (e) {
      throw new VigilInputError(
        'INVALID_OPTION',
        `cluster.nats.servers: ${servers.join(', ')} has no JetStream (${String((e as Error).message)}); start nats-server with -js.`,
        'cluster.nats.servers',
      );
    }
    const js = jetstream(nc);
    await ensureStream(jsm, {
      name: names.pointsStream,
      subjects: [`${options.name}.points.*`],
      max_age: options.retentionHours * 3_600_000 * NANOS_PER_MS,
      replicas: options.replicas,
    });
    await ensureStream(jsm, {
      name: names.eventsStream,
      subjects: [names.eventsSubject],
      max_age: options.retentionHours * 3_600_000 * NANOS_PER_MS,
      replicas: options.replicas,
    });
    const kvm = new Kvm(js);
    const leases = await kvm.create(names.leasesBucket, {
      history: 1,
      ttl: options.leaseMs,
      replicas: options.replicas,
    });
    const leaseTtl = (await leases.status()).ttl;
    if (leaseTtl !== options.leaseMs)
      throw new VigilInputError(
        'INVALID_OPTION',
        `cluster.leaseMs: ${options.leaseMs} differs from the ${leaseTtl} ms the running cluster '${options.name}' uses; use the same value on every member.`,
        'cluster.leaseMs',
      );
    const snapshots = await kvm.create(names.snapshotsBucket, { history: 1, replicas: options.replicas });
    const partitions = String(options.partitions);
    try {
      await snapshots.create('meta.partitions', partitions);
    } catch {
      const existing = (await snapshots.get('meta.partitions'))?.string();
      if (existing !== partitions)
        throw new VigilInputError(
          'INVALID_OPTION',
          `cluster.partitions: ${partitions} differs from the ${existing} partitions the cluster '${options.name}' was created with; use ${existing}, or another cluster.name for a new layout.`,
          'cluster.partitions',
        );
    }
    return {
      nc,
      js,
      jsm,
      names,
      leases,
      snapshots,
      options,
      workerId,
      maxPayload: nc.info?.max_payload ?? 1024 * 1024,
    };
  } catch (e) {
    await nc.close().catch(() => undefined);
    throw e;
  }
}

async function ensureStream(
  jsm: JetStreamManager,
  config: { name: string; subjects: string[]; max_age: number; replicas: number },
): Promise<void> {
  try {
    await jsm.streams.info(config.name);
  } catch {
    await jsm.streams.add({
      name: config.name,
      subjects: config.subjects,
      max_age: config.max_age,
      num_replicas: config.replicas,
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      // Publishers retry with the same message id; within this window JetStream stores the message once.
      duplicate_window: 120_000 * NANOS_PER_MS,
    });
  }
}
