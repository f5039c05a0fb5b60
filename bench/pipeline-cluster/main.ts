/**
 * Vigil scaled out on NATS JetStream: 3 worker processes (`worker.ts`) on a real nats-server, fed by a
 * `PointPublisher` in this process. For each layout (partitions × snapshot interval) it measures
 *  - aggregate throughput: points/s from the first publish until every partition has applied the stream's end,
 *    beside the same points pushed into one in-process Pipeline (the single-process peer, no NATS);
 *  - failover: a worker killed with SIGKILL while points flow at a steady rate; the time until each of its
 *    partitions scores again on a survivor (target < 5 s), the replay length and the snapshot sizes;
 *  - loss and duplication: the per-series ledgers in the final snapshots against what was published (target 0, 0).
 * Everything shares one 2-core machine (publisher, 3 workers, nats-server). Rows go into `bench/results/pipeline.json`
 * beside the single-process rows other benchmarks write there (merged by `row`, never replaced).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pipeline } from '@vigil/core';
import { createDetector } from '@vigil/detectors';
import { connectCluster, PointPublisher, parseConfig, partitionOf, SnapshotBucket } from '@vigil/server';
import { startNatsServer } from '../../packages/server/test/helpers/nats-server.js';
import { formatTable, mergeRows, progress, type Row, readResult, writeResult } from '../lib/report.js';

const here = dirname(fileURLToPath(import.meta.url));
const SERIES = Number(process.env.CLUSTER_SERIES ?? 3000);
const WARM_ROUNDS = 80;
const MEASURE_ROUNDS = Number(process.env.CLUSTER_ROUNDS ?? 100);
const STEP = 10_000;
const T0 = Date.now() - 60 * 86_400_000;
const LEASE_MS = 2000;
const WORKERS = 3;
const ALL_LAYOUTS = [
  { partitions: 16, snapshotIntervalMs: 5000 },
  { partitions: 16, snapshotIntervalMs: 1000 },
  { partitions: 64, snapshotIntervalMs: 5000 },
];

/** Appended to the rows' names (`CLUSTER_ROW_SUFFIX=-before` keeps a run of an older design beside the current). */
const SUFFIX = process.env.CLUSTER_ROW_SUFFIX ?? '';

/**
 * The failover drill's pace: a round of all series every `CLUSTER_FLOW_ROUND_MS` ms (default 461: about 6,500
 * points/s, the pace of the earlier design's run, so drills compare at one load); 0 paces at half the measured rate.
 */
const FLOW_ROUND_MS = Number(process.env.CLUSTER_FLOW_ROUND_MS ?? 461);

/** `CLUSTER_LAYOUTS=0,2` runs some layouts only. */
const LAYOUTS = process.env.CLUSTER_LAYOUTS
  ? process.env.CLUSTER_LAYOUTS.split(',').map((i) => ALL_LAYOUTS[Number(i)])
  : ALL_LAYOUTS;

interface PartitionReport {
  partition: number;
  seq: number;
  snapshotBytes: number;
  snapshotMs: number;
  snapshots: number;
  series: number;
}
interface WorkerHandle {
  child: ChildProcess;
  applied: number;
  /** Points applied that a fitted detector scored, and fits queued or running in the worker's pool. */
  scored: number;
  fitsPending: number;
  stale: number;
  lostLeases: number;
  /** The worker's lease renewal counters (absent from workers of older designs). */
  leases?: { lapses: number; lateRenewals: number; maxGapMs: number };
  partitions: PartitionReport[];
  scoring: Array<{ partition: number; at: number }>;
  caughtUp: Array<{
    info: {
      partition: number;
      replayMessages: number;
      restoreMs: number;
      snapshotBytes: number;
      fromSeq: number;
    };
    at: number;
  }>;
  exited: Promise<void>;
}

/** Every worker started, killed at the end whatever happens. */
const children = new Set<ChildProcess>();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const keys = Array.from({ length: SERIES }, (_, i) => `svc-${i % 50}/metric-${i}`);
/** Seeded value of series `s` at round `i` (no Math.random). */
const value = (s: number, i: number) =>
  100 + 10 * Math.sin(i / 20 + s) + (Math.imul(s * 7919 + i, 2654435761) >>> 0) / 2 ** 32;

function spawnWorker(cluster: object, id: string): Promise<WorkerHandle> {
  // node itself with tsx's loader (not the tsx CLI, a wrapper): SIGKILL must reach the worker.
  const child = fork(join(here, 'worker.ts'), [JSON.stringify({ ...cluster, workerId: id })], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  const handle: WorkerHandle = {
    child,
    applied: 0,
    scored: 0,
    fitsPending: 0,
    stale: 0,
    lostLeases: 0,
    partitions: [],
    scoring: [],
    caughtUp: [],
    exited: new Promise((r) => child.once('exit', () => r())),
  };
  return new Promise((resolve, reject) => {
    child.on('message', (m: { type: string } & Record<string, unknown>) => {
      if (m.type === 'ready') resolve(handle);
      else if (m.type === 'stats') {
        handle.applied = m.applied as number;
        handle.scored = m.scored as number;
        handle.fitsPending = m.fitsPending as number;
        handle.stale = m.stale as number;
        handle.lostLeases = m.lostLeases as number;
        handle.leases = m.leases as WorkerHandle['leases'];
        handle.partitions = m.partitions as PartitionReport[];
      } else if (m.type === 'scoring') handle.scoring.push(m as never);
      else if (m.type === 'caughtUp') handle.caughtUp.push(m as never);
    });
    child.once('exit', (code) => reject(new Error(`worker ${id} exited with ${code} before it was ready`)));
  });
}

async function until(cond: () => boolean | Promise<boolean>, ms: number, what: string) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(50);
  }
}

async function runLayout(natsUrl: string, index: number, layout: (typeof LAYOUTS)[number]): Promise<Row[]> {
  const cluster = {
    nats: { servers: natsUrl },
    name: `bench${index}`,
    partitions: layout.partitions,
    leaseMs: LEASE_MS,
    snapshotIntervalMs: layout.snapshotIntervalMs,
  };
  const label = `${layout.partitions} partitions, snapshot every ${layout.snapshotIntervalMs / 1000} s`;
  progress(`\n-- ${label}: starting ${WORKERS} workers`);
  const workers: WorkerHandle[] = [];
  for (let w = 0; w < WORKERS; w++) workers.push(await spawnWorker(cluster, `w${w}`));
  const alive = () => workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
  const fair = Math.ceil(layout.partitions / WORKERS);
  await until(
    () => {
      const held = alive().flatMap((w) => w.partitions.map((p) => p.partition));
      return (
        new Set(held).size === layout.partitions &&
        held.length === layout.partitions &&
        alive().every((w) => w.partitions.length <= fair)
      );
    },
    30_000,
    'a balanced assignment',
  );
  const connection = await connectCluster(
    parseConfig({ cluster: { ...cluster, workerId: 'publisher' } }).cluster!,
  );
  const publisher = new PointPublisher(connection);
  let round = 0;
  const publishRound = () => {
    for (let s = 0; s < SERIES; s++) publisher.push(keys[s], T0 + round * STEP, value(s, round));
    round++;
  };
  const lastSeqs = async () => {
    const info = await connection.jsm.streams.info(connection.names.pointsStream, { subjects_filter: '>' });
    const seqs = new Map<number, number>();
    for (let p = 0; p < layout.partitions; p++) {
      if (!info.state.subjects?.[connection.names.pointsSubject(p)]) continue;
      const m = await connection.jsm.streams.getMessage(connection.names.pointsStream, {
        last_by_subj: connection.names.pointsSubject(p),
      });
      if (m) seqs.set(p, m.seq);
    }
    return seqs;
  };
  // Called once nothing more is being published: the stream's ends are read once, the workers' progress polled.
  const applied = async (ms: number, what: string) => {
    const seqs = await lastSeqs();
    await until(
      () => {
        const at = new Map(alive().flatMap((w) => w.partitions.map((p) => [p.partition, p.seq] as const)));
        return [...seqs].every(([p, seq]) => (at.get(p) ?? -1) >= seq);
      },
      ms,
      what,
    );
  };

  // Warm-up: every series fitted.
  for (let i = 0; i < WARM_ROUNDS; i++) {
    publishRound();
    await publisher.flush();
  }
  await applied(300_000, 'the warm-up to be applied');
  // …and fitted: the fit pools have caught up, so the measured rounds are scored, as the peer's are.
  await until(() => alive().every((w) => w.fitsPending === 0), 300_000, 'the warm-up fits');
  await sleep(500);
  await until(() => alive().every((w) => w.fitsPending === 0), 300_000, 'the warm-up fits');
  const sum = (f: (w: WorkerHandle) => number) => alive().reduce((a, w) => a + f(w), 0);
  const before = { applied: sum((w) => w.applied), scored: sum((w) => w.scored) };

  // Throughput: as fast as the publisher goes, until every partition has applied everything.
  const measured = MEASURE_ROUNDS * SERIES;
  const t0 = performance.now();
  for (let i = 0; i < MEASURE_ROUNDS; i++) {
    publishRound();
    if (i % 5 === 4) await publisher.flush();
  }
  await publisher.flush();
  const publishedMs = performance.now() - t0;
  await applied(300_000, 'the measured points to be applied');
  const clusterMs = performance.now() - t0;
  await sleep(500); // the workers' next report
  const scoredShare =
    (sum((w) => w.scored) - before.scored) / Math.max(1, sum((w) => w.applied) - before.applied);
  const pointsPerSec = measured / (clusterMs / 1000);
  progress(
    `throughput: ${measured} points in ${(clusterMs / 1000).toFixed(2)} s = ${Math.round(pointsPerSec)} points/s (published in ${(publishedMs / 1000).toFixed(2)} s)`,
  );

  // Failover: a steady flow, one worker killed once snapshots exist.
  const paceRoundMs = FLOW_ROUND_MS || Math.max(20, Math.round((SERIES / (pointsPerSec / 2)) * 1000));
  let flowing = true;
  const flow = (async () => {
    while (flowing) {
      const started = performance.now();
      publishRound();
      await publisher.flush();
      await sleep(Math.max(0, paceRoundMs - (performance.now() - started)));
    }
  })();
  await sleep(layout.snapshotIntervalMs * 1.5 + 500);
  const victim = workers[1];
  const victimPartitions = victim.partitions.map((p) => p.partition);
  const snapshotBytes = alive().flatMap((w) => w.partitions.map((p) => p.snapshotBytes));
  const snapshotMs = alive().flatMap((w) => w.partitions.map((p) => p.snapshotMs));
  const killedAt = Date.now();
  victim.child.kill('SIGKILL');
  if (process.env.CLUSTER_TRACE) console.error(`killed ${killedAt}`);
  progress(
    `killed w1 holding partitions ${victimPartitions.join(',')} (steady flow: a round of ${SERIES} points every ${paceRoundMs} ms)`,
  );
  const survivors = [workers[0], workers[2]];
  const scoredAgain = () =>
    victimPartitions.map((p) =>
      survivors.flatMap((w) => w.scoring).find((s) => s.partition === p && s.at > killedAt),
    );
  await until(() => scoredAgain().every(Boolean), 60_000, 'the killed worker’s partitions to score again');
  const takeoverMs = Math.max(...scoredAgain().map((s) => s!.at - killedAt));
  const takeovers = survivors
    .flatMap((w) => w.caughtUp)
    .filter((c) => c.at > killedAt && victimPartitions.includes(c.info.partition));
  progress(`its ${victimPartitions.length} partitions scored again on the survivors after ${takeoverMs} ms`);
  await sleep(1000);
  flowing = false;
  await flow;
  await publisher.flush();
  await applied(300_000, 'the survivors to apply everything');

  // Ledger: graceful stop writes final snapshots; every series must hold exactly the rounds published.
  for (const w of survivors) w.child.kill('SIGTERM');
  await Promise.all(survivors.map((w) => w.exited));
  const bucket = new SnapshotBucket(connection.snapshots, connection.maxPayload);
  const counts = new Map<string, number>();
  for (let p = 0; p < layout.partitions; p++) {
    const snap = await bucket.read(p);
    for (const [k, l] of Object.entries(snap?.ledger ?? {})) counts.set(k, l.n);
  }
  let lost = 0;
  let duplicated = 0;
  const short = new Map<number, number>();
  for (const k of keys) {
    const n = counts.get(k) ?? 0;
    lost += Math.max(0, round - n);
    duplicated += Math.max(0, n - round);
    if (n !== round)
      short.set(partitionOf(k, layout.partitions), (short.get(partitionOf(k, layout.partitions)) ?? 0) + 1);
  }
  for await (const ci of connection.jsm.consumers.list(connection.names.pointsStream))
    if (short.has(Number(ci.name.split('-')[1])))
      progress(
        `consumer ${ci.name}: filter ${ci.config.filter_subject}, delivered ${ci.delivered.stream_seq}, pending ${ci.num_pending}, waiting ${ci.num_waiting}, ack pending ${ci.num_ack_pending}`,
      );
  for (const p of short.keys()) {
    const manifest = await connection.snapshots.get(`p.${p}`);
    const snap = await bucket.read(p).catch((e) => String(e));
    progress(
      `partition ${p}: manifest ${manifest?.string()}; snapshot ${typeof snap === 'string' ? snap : `seq ${snap?.seq}, ${Object.keys(snap?.ledger ?? {}).length} series`}`,
    );
  }
  if (short.size > 0)
    progress(
      `series off their count by partition: ${JSON.stringify(Object.fromEntries(short))} (killed: ${victimPartitions.join(',')}); stale skipped by survivors: ${survivors.map((w) => w.stale).join(', ')}`,
    );
  const pub = publisher.stats;
  await connection.nc.close();
  const replay = takeovers.map((t) => t.info.replayMessages);
  const row: Row = {
    row: `cluster-${layout.partitions}p-${layout.snapshotIntervalMs}ms${SUFFIX}`,
    workers: WORKERS,
    partitions: layout.partitions,
    snapshotIntervalMs: layout.snapshotIntervalMs,
    leaseMs: LEASE_MS,
    series: SERIES,
    pointsPerSec: Math.round(pointsPerSec),
    scoredShare: Math.round(scoredShare * 1000) / 1000,
    flowPointsPerSec: Math.round((SERIES / paceRoundMs) * 1000),
    takeoverMs,
    replayMessagesMax: Math.max(0, ...replay),
    replayPointsMax: Math.round(Math.max(0, ...replay) * (SERIES / layout.partitions)),
    restoreMsMax: Math.round(Math.max(0, ...takeovers.map((t) => t.info.restoreMs))),
    snapshotKiBPerPartition:
      Math.round(snapshotBytes.reduce((a, b) => a + b, 0) / Math.max(1, snapshotBytes.length) / 102.4) / 10,
    snapshotBytesPerSeries: Math.round(
      snapshotBytes.reduce((a, b) => a + b, 0) / (SERIES * (snapshotBytes.length / layout.partitions)),
    ),
    snapshotMsMax: Math.round(Math.max(0, ...snapshotMs)),
    published: pub.published,
    publishFailed: pub.failed + pub.dropped,
    leasesLostByLiveWorkers: survivors.reduce((a, w) => a + w.lostLeases, 0),
    lateRenewals: survivors.reduce((a, w) => a + (w.leases?.lateRenewals ?? 0), 0),
    maxRenewalGapMs: Math.max(0, ...survivors.map((w) => w.leases?.maxGapMs ?? 0)),
    lost,
    duplicated,
  };
  console.log(formatTable([row]));
  return [row];
}

/** The single-process peer: the same warm-up and measured rounds pushed into one Pipeline, no NATS; points/s. */
async function singleProcessRate(): Promise<number> {
  const pipeline = new Pipeline({ createDetector: () => createDetector('mad', { window: 60 }), warmup: 60 });
  let round = 0;
  const pushRound = () => {
    for (let s = 0; s < SERIES; s++) pipeline.push(keys[s], T0 + round * STEP, value(s, round));
    round++;
  };
  for (let i = 0; i < WARM_ROUNDS; i++) pushRound();
  await pipeline.idle();
  const t0 = performance.now();
  for (let i = 0; i < MEASURE_ROUNDS; i++) pushRound();
  const ms = performance.now() - t0;
  // The Pipeline may hold a fit worker pool (newer cores): release it.
  await (pipeline as { close?: () => Promise<void> }).close?.();
  return Math.round((MEASURE_ROUNDS * SERIES) / (ms / 1000));
}

/** Merges this run's rows into pipeline.json beside the rows other benchmarks write there. */
function save(fresh: readonly Row[]): void {
  const previous = readResult('pipeline');
  const ran = new Set(fresh.map((r) => String(r.row)));
  const merged = mergeRows((previous?.rows as Row[] | undefined) ?? [], fresh, ran, 'row');
  const { name: _n, date: _d, machine: _m, rows: _r, ...otherDetails } = previous ?? {};
  writeResult('pipeline', merged, {
    ...otherDetails,
    cluster: CLUSTER_DETAILS,
  });
}

const CLUSTER_DETAILS = {
  description:
    '3 worker processes, a publisher and nats-server 2.9 (JetStream, file store) on one machine; each worker one Pipeline for all its partitions, mad (window 60) per series fitted in a one-thread pool (rows ending -before: the earlier design, a Pipeline per partition fitting on the event loop); lease 2 s. pointsPerSec: measured rounds published as fast as possible until every partition applied them. scoredShare: of the measured points, the share a fitted detector scored (warm-up fits finished before measuring). takeoverMs: SIGKILL of one worker to the first scored point of each of its partitions on a survivor, with points flowing at flowPointsPerSec (a fixed ~6,500 points/s; rows ending -half-rate: half the measured rate). leasesLostByLiveWorkers / lateRenewals / maxRenewalGapMs: lease renewals of the survivors. lost/duplicated: final snapshot ledgers against the rounds published.',
  seriesKeys: 'svc-<i % 50>/metric-<i>',
  warmRounds: WARM_ROUNDS,
  measuredRounds: MEASURE_ROUNDS,
};

const nats = await startNatsServer();
const rows: Row[] = [];
try {
  const singleRate = await singleProcessRate();
  progress(`single process (one Pipeline, no NATS): ${singleRate} points/s`);
  rows.push({
    row: 'cluster-peer-single-process',
    workers: 1,
    partitions: 1,
    series: SERIES,
    pointsPerSec: singleRate,
  });
  save(rows);
  for (const [i, layout] of LAYOUTS.entries()) {
    try {
      rows.push(...(await runLayout(nats.url, i, layout)));
    } catch (e) {
      progress(`layout ${JSON.stringify(layout)} failed: ${String((e as Error).message)}`);
      rows.push({
        row: `cluster-${layout.partitions}p-${layout.snapshotIntervalMs}ms${SUFFIX}`,
        partitions: layout.partitions,
        snapshotIntervalMs: layout.snapshotIntervalMs,
        error: String((e as Error).message),
      });
      for (const child of children)
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    // Written after every layout, so a long run that is stopped keeps what it measured.
    save(rows);
  }
} finally {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await nats.stop();
}
// A layout that failed half-way may leave its NATS connection open: nothing else is left to wait for.
process.exit(0);
