import { Pipeline } from '@vigil/core';
import { type ClusterConnection, connectCluster } from '../../src/cluster/cluster-connection.js';
import { ClusterWorker, type ClusterWorkerOptions } from '../../src/cluster/cluster-worker.js';
import { parseConfig } from '../../src/config/load-config.js';

/** Parsed `cluster` options for a test nats-server at `url`. */
export function clusterOptions(url: string, extra: Record<string, unknown> = {}) {
  return parseConfig({ cluster: { nats: { servers: url }, ...extra } }).cluster!;
}

/**
 * A worker with its own connection and one Pipeline for all its partitions, scoring with `mad` after a short warm-up
 * (fitted in a one-thread pool, as `vigil serve` does), recording every score.
 */
export async function startWorker(
  url: string,
  workerId: string,
  extra: Record<string, unknown> = {},
  hooks: Pick<ClusterWorkerOptions, 'onScore' | 'onCaughtUp'> = {},
) {
  const connection = await connectCluster(clusterOptions(url, { workerId, ...extra }));
  const worker = await ClusterWorker.start(connection, {
    createPipeline: (onEvent) =>
      new Pipeline({
        detectors: { module: '@vigil/detectors', spec: { kind: 'mad', options: { window: 30 } }, threads: 1 },
        warmup: 40,
        incidentWindow: 60_000,
        onEvent,
      }),
    ...hooks,
  });
  return { connection, worker };
}

/** Last stream sequence of each partition's subject (0 when it has none). */
export async function lastSequences(c: ClusterConnection): Promise<number[]> {
  const info = await c.jsm.streams.info(c.names.pointsStream, { subjects_filter: '>' });
  const seqs: number[] = [];
  for (let p = 0; p < c.options.partitions; p++) {
    if (!info.state.subjects?.[c.names.pointsSubject(p)]) {
      seqs.push(0);
      continue;
    }
    const m = await c.jsm.streams.getMessage(c.names.pointsStream, {
      last_by_subj: c.names.pointsSubject(p),
    });
    seqs.push(m?.seq ?? 0);
  }
  return seqs;
}

/** True when every partition is held by exactly one of `workers` and has applied its subject up to `seqs`. */
export function caughtUp(workers: readonly ClusterWorker[], seqs: readonly number[]): boolean {
  for (let p = 0; p < seqs.length; p++) {
    const holders = workers.filter((w) => w.partitions.includes(p));
    if (holders.length !== 1) return false;
    if ((holders[0].consumer(p)?.stats.seq ?? -1) < seqs[p]) return false;
  }
  return true;
}
