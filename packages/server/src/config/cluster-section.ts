import { z } from 'zod';

const server = z.string().min(1);

/**
 * `cluster`: series partitioned over several `vigil serve` workers through NATS JetStream. Absent (the default):
 * one process scores everything and needs nothing else.
 */
export const clusterSection = z
  .strictObject({
    nats: z.strictObject({
      /** NATS URLs, e.g. `nats://nats-0:4222` or a list of them. */
      servers: z.union([server, z.array(server).min(1)]),
      user: z.string().min(1).optional(),
      pass: z.string().min(1).optional(),
      token: z.string().min(1).optional(),
      /** Milliseconds to wait for a connection before `vigil serve` fails. */
      timeoutMs: z.number().int().positive().default(5_000),
    }),
    /** Prefix of the stream, subjects and buckets, so several clusters can share one NATS. */
    name: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only')
      .default('vigil'),
    /** Fixed number of partitions series are hashed into; every member must use the same count. */
    partitions: z.number().int().min(1).max(1024).default(16),
    /** Whether this process scores partitions (false: it only receives and publishes). */
    worker: z.boolean().default(true),
    /** This worker's name in leases and logs; default `<hostname>-<pid>`. */
    workerId: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only')
      .optional(),
    /** A worker that has not renewed its leases for this long is dead and its partitions are taken over. */
    leaseMs: z.number().int().min(500).default(2_000),
    /** How often each partition's snapshot is written (shorter: less replay after a failover, more writes). */
    snapshotIntervalMs: z.number().int().min(100).default(5_000),
    /** Hours of points the stream keeps; must cover the snapshot interval by far. */
    retentionHours: z.number().positive().default(24),
    /** JetStream replicas of the streams and buckets (3 on a 3-node NATS cluster). */
    replicas: z.number().int().min(1).max(5).default(1),
    /** Points a receiver holds while JetStream acknowledges; beyond it new points are refused. */
    maxPendingPoints: z.number().int().positive().default(200_000),
  })
  .optional();
