/**
 * One Vigil cluster worker as its own process, for `main.ts`: scores the partitions it holds with `mad` in one
 * Pipeline (fits in its one-thread worker pool, as `vigil serve` runs it) and reports
 * to its parent over IPC — counters every 250 ms, each partition's first scored point after it arrived here, and
 * each takeover once its replay is applied. SIGTERM stops it gracefully (final snapshots, leases released).
 */
import { Pipeline } from '@vigil/core';
import { ClusterWorker, connectCluster, parseConfig, partitionOf } from '@vigil/server';

const cluster = JSON.parse(process.argv[2] ?? '{}');
// Without its parent (the benchmark ended or died) a worker has no reason to live.
process.on('disconnect', () => process.exit(1));
process.on('error', () => undefined);
const send = (message: object) => {
  if (process.connected) process.send?.(message, undefined, undefined, () => undefined);
};

const connection = await connectCluster(parseConfig({ cluster }).cluster!);
const partitions = connection.options.partitions;
let applied = 0;
let scored = 0;
let lostLeases = 0;
const scoring = new Set<number>();
const worker = await ClusterWorker.start(connection, {
  createPipeline: (onEvent) =>
    new Pipeline({
      detectors: { module: '@vigil/detectors', spec: { kind: 'mad', options: { window: 60 } }, threads: 1 },
      warmup: 60,
      onEvent,
    }),
  onScore: (key, _t, _v, score) => {
    applied++;
    if (score?.status !== 'scored') return;
    scored++;
    const p = partitionOf(key, partitions);
    if (scoring.has(p)) return;
    scoring.add(p);
    if (process.env.CLUSTER_TRACE) console.error(`${connection.workerId} ${Date.now()} scoring ${p}`);
    send({ type: 'scoring', partition: p, at: Date.now() });
  },
  onCaughtUp: (info) => {
    if (process.env.CLUSTER_TRACE)
      console.error(
        `${connection.workerId} ${Date.now()} caughtUp ${info.partition} restore ${Math.round(info.restoreMs)} ms, replay ${info.replayMessages}, detectors ${info.restoredDetectors}/${info.restoredSeries}, stale ${worker.consumer(info.partition)?.stats.stale} ${JSON.stringify(worker.pipeline.stats)}`,
      );
    send({ type: 'caughtUp', info, at: Date.now() });
  },
  onPartitions: (change, ps) => {
    if (process.env.CLUSTER_TRACE)
      console.error(`${connection.workerId} ${Date.now()} ${change} ${ps.join(',')}`);
    if (change === 'lost') lostLeases += ps.length;
    if (change !== 'acquired') for (const p of ps) scoring.delete(p);
  },
});

const report = () =>
  send({
    type: 'stats',
    applied,
    scored,
    fitsPending: worker.pipeline.stats.queuedFits + worker.pipeline.stats.runningFits,
    stale: worker.stats.partitions.reduce((a, p) => a + p.stale, 0),
    lostLeases,
    leases: worker.stats.leases,
    partitions: worker.stats.partitions.map((p) => ({
      partition: p.partition,
      seq: p.seq,
      snapshotBytes: p.snapshotBytes,
      snapshotMs: p.snapshotMs,
      snapshots: p.snapshots,
      series: worker.consumer(p.partition)?.ledger.size ?? 0,
    })),
  });
const timer = setInterval(report, 250);
send({ type: 'ready', id: connection.workerId });

process.once('SIGTERM', async () => {
  clearInterval(timer);
  await worker.stop();
  report();
  await connection.nc.drain().catch(() => undefined);
  send({ type: 'stopped' });
  process.disconnect?.();
  process.exit(0);
});
