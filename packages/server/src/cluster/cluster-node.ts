import {
  type AnomalyEvent,
  type Incident,
  type IncidentChange,
  Pipeline,
  type PipelineOptions,
  type PipelineStats,
  type PointScore,
} from '@vigil/core';
import { type ClusterConnection, connectCluster } from './cluster-connection.js';
import type { ClusterOptions } from './cluster-options.js';
import { ClusterWorker } from './cluster-worker.js';
import { IncidentMerger } from './incident-merger.js';
import type { TakeoverInfo } from './partition-consumer.js';
import { partitionOf } from './partition-of.js';
import { PointPublisher } from './point-publisher.js';

/** Options of a {@link ClusterNode}. */
export interface ClusterNodeOptions {
  /**
   * The options of this worker's one Pipeline, which scores every partition it holds (detectors — with `detectors`
   * the fits run in its worker-thread pool —, warm-up, alert policy…); events are routed by the node.
   */
  pipeline: Omit<PipelineOptions, 'onEvent' | 'onIncident'>;
  /** Merged anomaly events (called on the process leading the incident merger). */
  onEvent?: (event: AnomalyEvent, change: 'open' | 'close') => void;
  /** Merged incidents, across all partitions (called on the process leading the incident merger). */
  onIncident?: (incident: Incident, change: IncidentChange) => void;
  /** Every point this process' worker applied, with its score. */
  onScore?: (seriesKey: string, t: number, value: number, score: PointScore | undefined) => void;
  /** A partition taken over here was restored and its replay applied. */
  onCaughtUp?: (info: TakeoverInfo) => void;
}

/**
 * One member of a Vigil cluster on NATS JetStream, as `vigil serve` runs it: a {@link PointPublisher} that the
 * receivers push into, a {@link ClusterWorker} scoring the partitions it holds (unless `worker: false`), and an
 * {@link IncidentMerger} that leads when it holds the merger lease.
 *
 * @throws {VigilInputError} `INVALID_OPTION` naming the `cluster.*` field when NATS cannot be used as configured.
 * @example
 * const node = await ClusterNode.start(config.cluster, { pipeline: pipelineOptions(config), onIncident });
 * node.publisher.push('web/latency', Date.now(), 12);
 */
export class ClusterNode {
  readonly connection: ClusterConnection;
  readonly publisher: PointPublisher;
  readonly worker: ClusterWorker | undefined;
  readonly merger: IncidentMerger;

  private constructor(
    connection: ClusterConnection,
    worker: ClusterWorker | undefined,
    merger: IncidentMerger,
  ) {
    this.connection = connection;
    this.publisher = new PointPublisher(connection);
    this.worker = worker;
    this.merger = merger;
  }

  static async start(options: ClusterOptions, node: ClusterNodeOptions): Promise<ClusterNode> {
    const connection = await connectCluster(options);
    try {
      const worker = options.worker
        ? await ClusterWorker.start(connection, {
            createPipeline: (onEvent) => new Pipeline({ ...node.pipeline, onEvent }),
            ...(node.onScore ? { onScore: node.onScore } : {}),
            ...(node.onCaughtUp ? { onCaughtUp: node.onCaughtUp } : {}),
          })
        : undefined;
      const merger = await IncidentMerger.start(connection, {
        incidentWindow: node.pipeline.incidentWindow ?? 600_000,
        ...(node.onEvent ? { onEvent: node.onEvent } : {}),
        ...(node.onIncident ? { onIncident: node.onIncident } : {}),
      });
      return new ClusterNode(connection, worker, merger);
    } catch (e) {
      await connection.nc.close().catch(() => undefined);
      throw e;
    }
  }

  /** The history of a series if this process scores its partition (for maintenance checks), else undefined. */
  history(seriesKey: string): ReturnType<Pipeline['history']> {
    const p = partitionOf(seriesKey, this.connection.options.partitions);
    return this.worker?.consumer(p) ? this.worker.pipeline.history(seriesKey) : undefined;
  }

  /** The counters of this worker's Pipeline (what `/metrics` reports for this member); zeros without a worker. */
  pipelineStats(): PipelineStats {
    if (this.worker) return this.worker.pipeline.stats;
    // Fields a newer Pipeline adds read as absent here, not as a type error.
    return {
      series: 0,
      points: 0,
      scored: 0,
      dropped: 0,
      fits: 0,
      fitFailures: 0,
      events: 0,
    } as PipelineStats;
  }

  /** Leaves gracefully: sends what the receivers accepted, snapshots and hands off partitions, closes NATS. */
  async stop(): Promise<void> {
    await this.publisher.flush();
    await this.worker?.stop();
    await this.merger.stop();
    await this.connection.nc.drain().catch(() => undefined);
  }

  /** Leaves as a crash would (for failure drills and tests): no snapshot, no hand-off, the connection dropped. */
  async abort(): Promise<void> {
    await this.worker?.abort();
    await this.merger.abort();
    await this.connection.nc.close().catch(() => undefined);
  }
}
