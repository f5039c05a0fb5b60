import { diag } from '@opentelemetry/api';
import { seriesKey, VigilInputError } from '@vigil/core';
import type { EbpfConfig } from '../config/ebpf-section.js';
import type { PointSink } from '../otlp/metrics-ingest.js';

/** Points of one probe series, as `@vigil/ebpf-native` returns them. */
interface ProbeSeries {
  timestamps: Float64Array;
  values: Float64Array;
}
type RequestMetric = 'rate' | 'errorRatio' | 'p50' | 'p99';
interface RequestKey {
  service: string;
  side: 'server' | 'client';
  route: string;
}
interface RunQueueProbe {
  quantileSeries(q: number): ProbeSeries;
  close(): void;
}
interface HttpTracer {
  readonly series: { keys(): RequestKey[]; series(key: RequestKey, metric: RequestMetric): ProbeSeries };
  parserStats(): { requests: number };
  close(): void;
}
/**
 * The part of `@vigil/ebpf-native` the receiver uses. The package is an optional peer loaded at run time, so the
 * server builds and installs without it (and without its native toolchain); the live test checks the two agree.
 */
interface EbpfNative {
  checkEnvironment(): { problems: string[] };
  watchRunQueueLatency(options: { intervalMs: number; maxHistory: number }): RunQueueProbe;
  traceHttp(options: {
    intervalMs: number;
    maxHistory: number;
    side: 'server' | 'client' | 'both';
    maxRoutes: number;
    pid?: readonly number[];
    ports?: readonly number[];
  }): HttpTracer;
}
const EBPF_PACKAGE = '@vigil/ebpf-native';

/** Counters of the eBPF receiver. */
export interface EbpfReceiverStats {
  /** Points pushed into the pipeline. */
  points: number;
  /** Distinct series pushed so far. */
  series: number;
  /** Requests the HTTP tracer has seen. */
  requests: number;
}

/** What the eBPF receiver runs, for the start-up line and the tests. */
export interface EbpfReceiver {
  /** The probes that are loaded, e.g. `['run queue', 'http']`. */
  readonly probes: readonly string[];
  readonly stats: EbpfReceiverStats;
  /** Pushes what the probes measured since the last call (also called on the interval). */
  poll(): void;
  /** Detaches every probe. Safe to call twice. */
  close(): void;
}

/** Metric names of the request series, after OpenTelemetry's HTTP semantic conventions. */
const REQUEST_METRICS: ReadonlyArray<[RequestMetric, string]> = [
  ['rate', 'request.rate'],
  ['errorRatio', 'error_ratio'],
  ['p50', 'request.duration.p50'],
  ['p99', 'request.duration.p99'],
];
const RUN_QUEUE_QUANTILES: ReadonlyArray<[number, string]> = [
  [0.5, 'p50'],
  [0.9, 'p90'],
  [0.99, 'p99'],
];

/**
 * Starts the probes of the `ebpf` section and feeds their series into `sink` every `intervalMs`: the host's
 * run-queue latency (`host/ebpf.sched.runqueue.latency.p90`, ms) and, per traced service, side and route,
 * `<service>/ebpf.http.server.request.rate{http.route=…}`, `…error_ratio`, `…request.duration.p50` and `.p99` (ms).
 *
 * Resolves to undefined when the section is off, or when it is `auto` and the host cannot run eBPF (the reason is
 * written once through `write`).
 *
 * @throws {VigilInputError} `INVALID_OPTION` on `ebpf.enabled` when it is `true` and the host cannot run eBPF or
 *   `@vigil/ebpf-native` is not installed, saying what is missing.
 */
export async function startEbpfReceiver(
  config: EbpfConfig,
  sink: PointSink,
  write: (line: string) => void,
): Promise<EbpfReceiver | undefined> {
  if (config.enabled === false) return undefined;
  const unusable = (why: string) => {
    if (config.enabled === 'auto') {
      write(`vigil: eBPF probes off (ebpf.enabled is auto): ${why}`);
      return undefined;
    }
    throw new VigilInputError(
      'INVALID_OPTION',
      `ebpf.enabled: eBPF cannot run here: ${why}. Fix that, or set ebpf.enabled to auto or false.`,
      'ebpf.enabled',
    );
  };
  let native: EbpfNative;
  try {
    native = (await import(EBPF_PACKAGE)) as EbpfNative;
  } catch (e) {
    return unusable(
      `@vigil/ebpf-native cannot be loaded (${(e as Error).message}); install it beside @vigil/server`,
    );
  }
  const problems = native.checkEnvironment().problems;
  if (problems.length > 0) return unusable(problems.join('; '));
  return new EbpfProbes(native, config, sink);
}

class EbpfProbes implements EbpfReceiver {
  readonly probes: string[] = [];
  readonly #config: EbpfConfig;
  readonly #sink: PointSink;
  readonly #timer: NodeJS.Timeout;
  /** Last timestamp pushed per series key, so each poll pushes only newer points. */
  readonly #last = new Map<string, number>();
  #runQueue: RunQueueProbe | undefined;
  #http: HttpTracer | undefined;
  #points = 0;
  #closed = false;

  constructor(native: EbpfNative, config: EbpfConfig, sink: PointSink) {
    this.#config = config;
    this.#sink = sink;
    const intervalMs = config.intervalMs;
    // A few intervals of history are enough: every poll drains what is new.
    const maxHistory = 16;
    try {
      if (config.runQueue.enabled) {
        this.#runQueue = native.watchRunQueueLatency({ intervalMs, maxHistory });
        this.probes.push('run queue');
      }
      if (config.http.enabled) {
        const h = config.http;
        this.#http = native.traceHttp({
          intervalMs,
          maxHistory,
          side: h.side,
          maxRoutes: h.maxRoutes,
          ...(h.pids.length > 0 ? { pid: h.pids } : {}),
          ...(h.ports.length > 0 ? { ports: h.ports } : {}),
        });
        this.probes.push('http');
      }
    } catch (e) {
      this.close();
      throw e;
    }
    this.#timer = setInterval(() => this.poll(), intervalMs);
    this.#timer.unref();
  }

  get stats(): EbpfReceiverStats {
    return {
      points: this.#points,
      series: this.#last.size,
      requests: this.#http?.parserStats().requests ?? 0,
    };
  }

  poll(): void {
    if (this.#closed) return;
    try {
      if (this.#runQueue) {
        const host = this.#config.hostService;
        for (const [q, name] of RUN_QUEUE_QUANTILES)
          this.#drain(
            seriesKey(host, `ebpf.sched.runqueue.latency.${name}`, {}),
            this.#runQueue.quantileSeries(q),
          );
      }
      if (this.#http) {
        const series = this.#http.series;
        for (const key of series.keys())
          for (const [metric, name] of REQUEST_METRICS)
            this.#drain(
              seriesKey(key.service, `ebpf.http.${key.side}.${name}`, { 'http.route': key.route }),
              series.series(key, metric),
            );
      }
    } catch (e) {
      diag.error(`vigil serve: reading the eBPF probes failed: ${String(e)}`);
    }
  }

  #drain(key: string, series: ProbeSeries): void {
    const after = this.#last.get(key) ?? Number.NEGATIVE_INFINITY;
    const { timestamps, values } = series;
    let newest = after;
    for (let i = 0; i < timestamps.length; i++) {
      const t = timestamps[i];
      if (!(t > after)) continue;
      // An interval without samples is NaN: a missing point, which the pipeline skips without learning it.
      this.#sink.push(key, t, values[i]);
      this.#points++;
      newest = t;
    }
    if (newest > after) this.#last.set(key, newest);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#runQueue?.close();
    this.#http?.close();
  }
}
