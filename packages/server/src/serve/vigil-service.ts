import { diag } from '@opentelemetry/api';
import { Pipeline, type PointScore, VigilInputError } from '@vigil/core';
import { createResponseEngine } from '../actions/from-config.js';
import { type AdminServer, startAdminServer } from '../admin/admin-server.js';
import { registerClusterMetrics } from '../cluster/cluster-metrics.js';
import { ClusterNode } from '../cluster/cluster-node.js';
import type { VigilConfig } from '../config/schema.js';
import { MetricsIngest, type PointSink } from '../otlp/metrics-ingest.js';
import { AlertmanagerOutput } from '../outputs/alertmanager-output.js';
import { ConsoleOutput } from '../outputs/console-output.js';
import { OtelExport } from '../outputs/otel-export.js';
import type { Output } from '../outputs/output.js';
import { type EbpfReceiver, startEbpfReceiver } from '../receivers/ebpf-receiver.js';
import { type OtlpGrpcReceiver, startOtlpGrpcReceiver } from '../receivers/otlp-grpc.js';
import { type OtlpHttpReceiver, startOtlpHttpReceiver } from '../receivers/otlp-http.js';
import { SnapshotStore } from '../state/snapshot-store.js';
import type { ForecastEvent } from './forecast-event.js';
import { MaintenanceChecks } from './maintenance-checks.js';
import { pipelineOptions } from './pipeline-options.js';
import { serviceMetrics } from './service-metrics.js';

/** Options of {@link VigilService.start} beyond the configuration. */
export interface VigilServiceOptions {
  /** More outputs (callbacks, actions) next to the configured ones. */
  outputs?: Output[];
  /** Where the console output and the service's own messages go. Default stdout. */
  write?: (line: string) => void;
  /** Called with every point the receivers accept and its score (undefined while the series warms up). */
  onScore?: (seriesKey: string, t: number, value: number, score: PointScore | undefined) => void;
}

/**
 * `vigil serve` as an object: OTLP receivers (HTTP 4318, gRPC 4317) feed a Pipeline whose detector is chosen per
 * series pattern, predictive-maintenance checks run on matching series, and events, incidents and forecasts go to
 * the outputs (console, OpenTelemetry SDK export, Alertmanager). `/healthz`, `/readyz` and `/metrics` serve probes
 * and scrapers. The Pipeline's snapshot is restored at start and saved periodically and at `stop()`, so a restart
 * keeps every learnt model.
 *
 * @throws {VigilInputError} `INVALID_OPTION` for a configuration that cannot run (unknown detector kind, bad
 *   detector options, a port in use), naming the field.
 * @example
 * const service = await VigilService.start(loadConfig('vigil.yaml'));
 * process.on('SIGTERM', () => service.stop());
 */
export class VigilService {
  readonly config: VigilConfig;
  readonly pipeline: Pipeline;
  readonly ingest: MetricsIngest;
  readonly maintenance: MaintenanceChecks;
  readonly outputs: readonly Output[];
  readonly store: SnapshotStore | undefined;
  http: OtlpHttpReceiver | undefined;
  grpc: OtlpGrpcReceiver | undefined;
  admin: AdminServer | undefined;
  /** This process' membership of a cluster (with `cluster` configured): receivers publish to it. */
  cluster: ClusterNode | undefined;
  /** The eBPF probes feeding the pipeline (the `ebpf` section), when they run. */
  ebpf: EbpfReceiver | undefined;
  /** Series whose detector came back from the saved state at start. */
  restoredDetectors = 0;
  #notReady: string | undefined = 'starting';
  #saveTimer: NodeJS.Timeout | undefined;
  #stopping: Promise<void> | undefined;
  readonly #write: (line: string) => void;
  readonly #each: (call: (o: Output) => void) => void;
  readonly #onScore: VigilServiceOptions['onScore'];
  readonly #otel: OtelExport | undefined;
  readonly #sink: PointSink;

  private constructor(config: VigilConfig, options: VigilServiceOptions) {
    this.config = config;
    this.#write = options.write ?? ((line) => process.stdout.write(`${line}\n`));
    const outputs: Output[] = [];
    if (config.outputs.console.enabled) outputs.push(new ConsoleOutput(this.#write));
    let otel: OtelExport | undefined;
    if (config.outputs.otlp) {
      otel = new OtelExport({
        endpoint: config.outputs.otlp.endpoint,
        protocol: config.outputs.otlp.protocol,
        headers: config.outputs.otlp.headers,
        exportIntervalMs: config.outputs.otlp.exportIntervalMs,
      });
      outputs.push(otel);
    }
    if (config.outputs.alertmanager) outputs.push(new AlertmanagerOutput(config.outputs.alertmanager));
    if (config.actions.policies.length > 0) {
      const engine = createResponseEngine(config.actions);
      const report = (e: unknown) => diag.error(`vigil serve: response engine failed: ${String(e)}`);
      outputs.push({
        name: 'actions',
        onIncident: (incident, change) => void engine.handleIncident(incident, change).catch(report),
        onForecast: (f) => {
          if (f.state !== 'firing') return;
          void engine
            .handleForecast({
              seriesKey: f.seriesKey,
              eta: f.eta === null ? null : f.eta - f.t,
              summary: f.summary,
              at: f.t,
            })
            .catch(report);
        },
      });
    }
    outputs.push(...(options.outputs ?? []));
    this.outputs = outputs;
    const each = (call: (o: Output) => void) => {
      for (const o of outputs) {
        try {
          call(o);
        } catch (e) {
          diag.error(`vigil serve: output ${o.name} threw: ${String(e)}`);
        }
      }
    };
    this.pipeline = new Pipeline({
      ...pipelineOptions(config),
      ...(otel ? { otel: otel.metrics } : {}),
      onEvent: (event, change) => each((o) => o.onEvent?.(event, change)),
      onIncident: (incident, change) => each((o) => o.onIncident?.(incident, change)),
    });
    this.maintenance = new MaintenanceChecks(
      config.maintenance,
      (key) => (this.cluster ? this.cluster.history(key) : this.pipeline.history(key)),
      (f: ForecastEvent) => each((o) => o.onForecast?.(f)),
    );
    const service = this;
    const pipeline = this.pipeline;
    const maintenance = this.maintenance;
    const onScore = options.onScore;
    const local: PointSink = {
      push(key, t, value) {
        const r = pipeline.push(key, t, value);
        maintenance.onPoint(key);
        onScore?.(key, t, value, r);
        return r;
      },
      get stats() {
        return pipeline.stats;
      },
      get overloaded() {
        return pipeline.overloaded;
      },
    };
    // With a cluster the receivers publish to JetStream and the workers score (see #startCluster).
    const sink: PointSink = config.cluster
      ? {
          push: (key, t, value) => this.cluster!.publisher.push(key, t, value),
          get stats() {
            return { dropped: service.cluster?.publisher.stats.dropped ?? 0 };
          },
          get overloaded() {
            return service.cluster?.publisher.overloaded ?? false;
          },
          get unavailable() {
            return service.cluster ? service.cluster.publisher.unavailable : 'not joined to the cluster yet';
          },
          stored: () => service.cluster?.publisher.stored() ?? Promise.resolve(false),
        }
      : local;
    this.#sink = sink;
    this.ingest = new MetricsIngest(sink, { maxSeries: config.receivers.maxSeries });
    this.store = config.state.dir ? new SnapshotStore(config.state.dir) : undefined;
    if (config.cluster && this.store)
      throw new VigilInputError(
        'INVALID_OPTION',
        'state.dir: a cluster keeps its snapshots in the JetStream bucket; remove state.dir or the cluster section.',
        'state.dir',
      );
    this.#each = each;
    this.#onScore = onScore;
    this.#otel = otel;
  }

  /** Starts a service: restores state, opens the receivers and the admin server. */
  static async start(config: VigilConfig, options: VigilServiceOptions = {}): Promise<VigilService> {
    const service = new VigilService(config, options);
    try {
      await service.#start();
    } catch (e) {
      await service.stop();
      throw e;
    }
    return service;
  }

  /** Why the service is not ready, or undefined. */
  get notReady(): string | undefined {
    return this.#notReady;
  }

  async #start(): Promise<void> {
    const c = this.config;
    const registry = serviceMetrics({
      pipeline: () => (this.cluster ? this.cluster.pipelineStats() : this.pipeline.stats),
      openIncidents: () =>
        (this.cluster ? this.cluster.merger.openIncidents : this.pipeline.openIncidents).length,
      ingest: () => this.ingest.stats,
      httpByStatus: () => this.http?.stats.byStatus ?? {},
      grpcByCode: () => this.grpc?.byCode ?? {},
      stateBytes: () => this.store?.lastBytes ?? 0,
      alertmanager: () =>
        this.outputs.find((o): o is AlertmanagerOutput => o instanceof AlertmanagerOutput)?.stats,
    });
    if (c.cluster) registerClusterMetrics(registry, () => this.cluster);
    if (c.admin.enabled)
      this.admin = await listen('admin.port', c.admin.port, () =>
        startAdminServer({
          host: c.admin.host,
          port: c.admin.port,
          registry,
          notReady: () => this.#notReady,
        }),
      );
    if (this.store) {
      this.#notReady = 'restoring state';
      const snapshot = await this.store.load().catch((e) => {
        throw new VigilInputError(
          'INVALID_SNAPSHOT',
          `state.dir: cannot read ${this.store!.file} (${String((e as Error).message)}); move it away to start without the saved state.`,
          'state.dir',
        );
      });
      if (snapshot) {
        this.restoredDetectors = this.pipeline.restore(snapshot);
        this.#write(
          `vigil: restored ${snapshot.series.length} series (${this.restoredDetectors} fitted detectors) from ${this.store.file}`,
        );
      }
      this.#saveTimer = setInterval(() => void this.save(), c.state.intervalSeconds * 1000);
      this.#saveTimer.unref();
    }
    if (c.cluster) await this.#startCluster(c.cluster);
    const token = c.receivers.bearerToken;
    const h = c.receivers.otlpHttp;
    if (h.enabled)
      this.http = await listen('receivers.otlpHttp.port', h.port, () =>
        startOtlpHttpReceiver(this.ingest, {
          ...h,
          bearerToken: token,
          retryAfterSeconds: c.receivers.retryAfterSeconds,
        }),
      );
    const g = c.receivers.otlpGrpc;
    if (g.enabled)
      this.grpc = await listen('receivers.otlpGrpc.port', g.port, () =>
        startOtlpGrpcReceiver(this.ingest, {
          ...g,
          bearerToken: token,
          retryAfterSeconds: c.receivers.retryAfterSeconds,
        }),
      );
    this.ebpf = await startEbpfReceiver(c.ebpf, this.#sink, this.#write);
    if (this.ebpf)
      this.#write(
        `vigil: eBPF probes feeding the pipeline: ${this.ebpf.probes.join(', ')} (every ${c.ebpf.intervalMs} ms)`,
      );
    this.#notReady = undefined;
  }

  async #startCluster(cluster: NonNullable<VigilConfig['cluster']>): Promise<void> {
    this.#notReady = 'joining the cluster';
    const each = this.#each;
    const onScore = this.#onScore;
    this.cluster = await ClusterNode.start(cluster, {
      pipeline: {
        // One Pipeline per member for all the partitions it holds, fitting in its worker-thread pool.
        ...pipelineOptions(this.config),
        ...(this.#otel ? { otel: this.#otel.metrics } : {}),
      },
      onEvent: (event, change) => each((o) => o.onEvent?.(event, change)),
      onIncident: (incident, change) => each((o) => o.onIncident?.(incident, change)),
      onScore: (key, t, value, score) => {
        this.maintenance.onPoint(key);
        onScore?.(key, t, value, score);
      },
    });
  }

  /** Saves the Pipeline's snapshot now (when `state.dir` is set). */
  async save(): Promise<void> {
    if (!this.store) return;
    try {
      await this.store.save(this.pipeline.snapshot());
    } catch (e) {
      diag.error(`vigil serve: saving state to ${this.store.file} failed: ${String(e)}`);
    }
  }

  /**
   * Stops: refuses new data (503/UNAVAILABLE), closes the receivers, waits for fits and checks, saves the state and
   * shuts the outputs down (sending what they hold). Open incidents stay open in the saved state's world: they are
   * not reported as resolved. Safe to call twice.
   */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.#notReady = 'shutting down';
      if (this.#saveTimer) clearInterval(this.#saveTimer);
      if (this.http) this.http.ready = false;
      if (this.grpc) this.grpc.ready = false;
      this.ebpf?.close();
      await Promise.all([this.http?.close(), this.grpc?.close()]);
      await this.cluster?.stop();
      await this.pipeline.idle();
      await this.maintenance.idle();
      await this.save();
      await this.pipeline.close();
      await Promise.all(this.outputs.map((o) => o.shutdown?.().catch(() => undefined)));
      await this.admin?.close();
    })();
    return this.#stopping;
  }
}

async function listen<T>(field: string, port: number, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const inUse = code === 'EADDRINUSE' || /address already in use/i.test(String((e as Error).message));
    if (inUse || code === 'EACCES')
      throw new VigilInputError(
        'INVALID_OPTION',
        `${field}: port ${port} ${inUse ? 'is already in use' : 'needs privileges'}; choose another port (0 picks a free one).`,
        field,
      );
    throw e;
  }
}
