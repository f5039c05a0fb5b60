import { availableParallelism } from 'node:os';
import { AlertPolicy, type AlertPolicyOptions, type AnomalyEvent } from '../alerting/alert-policy.js';
import type { Detector } from '../detector/detector.js';
import type { FitProgress } from '../detector/fit-options.js';
import { checkNumberOption, type VigilError, VigilInputError } from '../errors.js';
import type { OtelOutput } from '../otel/otel-output.js';
import type { Topology } from '../rca/topology.js';
import type { RankOptions } from '../rca/types.js';
import type { SeriesLike } from '../series/series.js';
import type { DetectorSpec } from './fit-messages.js';
import type { Incident, IncidentChange } from './incidents.js';

/**
 * Detectors built and fitted in worker threads: the module that builds them there (it exports
 * `createDetector(kind, options)`; the Pipeline imports it on this thread too, to restore the fitted snapshots) and
 * which detector each series gets.
 */
export interface PipelineDetectors {
  /** Module specifier or file URL of the factory, e.g. `'@vigil/detectors'`. Bare names resolve from `@vigil/core`. */
  module: string;
  /** The kind and options of a series' detector. */
  spec: DetectorSpec | ((seriesKey: string) => DetectorSpec);
  /** Worker threads for fits and refits; 0 fits on this thread. Default min(4, max(1, cores − 1)). */
  threads?: number;
  /**
   * CPU priority of the fit threads as a Unix nice value, 0 (as the event loop) to 19 (lowest); applied on Linux,
   * where a thread has its own nice value. Fits are background work: with a nice value the event loop, which scores
   * points as they arrive, gets a contended core first. The cost: when every core is busy the fits slow down, the
   * refits land later and a model may stream past what it prepared at fit (see `fitTimeout`). Default 0.
   */
  niceness?: number;
}

/** Options of a {@link Pipeline}. */
export interface PipelineOptions {
  /**
   * Makes the detector for a new series (it must stream: have `update`); called again for each refit. Fits made this
   * way run on the event loop: prefer `detectors`, which fits in worker threads. One of the two is required.
   */
  createDetector?: (seriesKey: string) => Detector<SeriesLike>;
  /** Detectors fitted and refitted in a worker-thread pool (see {@link PipelineDetectors}). */
  detectors?: PipelineDetectors;
  /** Points buffered before a series' detector is first fitted. Default 288 (a day of 5-minute data). */
  warmup?: number;
  /**
   * Refit a series' detector every this many points (0: only when the detector asks, through `needsRefit`).
   * Default 0.
   */
  refitEvery?: number;
  /** Points of history kept per series (in typed ring buffers) and fitted on. Default 4 × warmup. */
  history?: number;
  /** Most series tracked; when full, the least recently updated 1% are evicted to admit new ones. Default 100 000. */
  maxSeries?: number;
  /** Most series per metric (see `metricOf`); points of further new series of it are refused. Default 10 000. */
  maxSeriesPerMetric?: number;
  /** The metric of a series key, for `maxSeriesPerMetric`. Default: the key up to its first `{`. */
  metricOf?: (seriesKey: string) => string;
  /** A series without a point for this long (wall ms) is evicted; 0 keeps it. Default 24 h. */
  idleTimeout?: number;
  /** Points dated more than this many ms after the wall clock are refused (`FUTURE_TIMESTAMP`). Default 5 min. */
  maxFuture?: number;
  /** A fit or refit running longer than this (ms) is abandoned (`FIT_TIMEOUT`). Default 60 000. */
  fitTimeout?: number;
  /** Fits waiting for a worker beyond which the pipeline reports itself `overloaded` (back-pressure). Default 1000. */
  maxQueuedFits?: number;
  /** The wall clock, ms. Default `Date.now`. */
  now?: () => number;
  /** The alert policy (or its options). Default `new AlertPolicy()`. */
  policy?: AlertPolicy | AlertPolicyOptions;
  /** Events starting within this many ms of an open incident's activity join it. Default 10 minutes. */
  incidentWindow?: number;
  /** Publishes scores and events as OpenTelemetry metrics. */
  otel?: OtelOutput;
  /** Called when an event opens (alert now) and when it closes (final extent). */
  onEvent?: (event: AnomalyEvent, change: 'open' | 'close') => void;
  /** Called when an incident opens, grows or closes; the incident carries its `rootCauses` ranking. */
  onIncident?: (incident: Incident, change: IncidentChange) => void;
  /** Called for each point refused with a typed reason (`FUTURE_TIMESTAMP`, `SERIES_LIMIT`); it is also counted. */
  onReject?: (error: VigilError, seriesKey: string, t: number, value: number) => void;
  /**
   * Called as a series' fit or refit advances (the detector's own reports: Prophet's steps, the LSTM's epochs, the
   * ensemble's members), from the worker threads too. It cannot stop a fit: what it throws is logged.
   */
  onFitProgress?: (seriesKey: string, progress: FitProgress) => void;
  /** Called when a series' detector is quarantined (`DETECTOR_FAULT`: it threw or scored outside [0, 1]). */
  onQuarantine?: (seriesKey: string, error: VigilError) => void;
  /**
   * Who calls whom, for root-cause ranking. Calls named by client series' peer attributes (`peer.service`,
   * `server.address`) are added automatically.
   */
  topology?: Topology;
  /** Root-cause ranking options, or `false` to leave incidents unranked. Default `{}`. */
  rootCause?: Omit<RankOptions, 'history' | 'topology'> | false;
}

/** The numeric options after defaults. */
export interface ResolvedPipelineOptions {
  readonly warmup: number;
  readonly refitEvery: number;
  readonly history: number;
  readonly maxSeries: number;
  readonly maxSeriesPerMetric: number;
  readonly idleTimeout: number;
  readonly maxFuture: number;
  readonly fitTimeout: number;
  readonly maxQueuedFits: number;
  readonly incidentWindow: number;
  readonly threads: number;
  readonly niceness: number;
  readonly policy: AlertPolicy;
  readonly now: () => number;
  readonly metricOf: (seriesKey: string) => string;
}

/** The metric of a series key: everything before its attributes (`service/metric`). */
export function metricOfKey(key: string): string {
  const brace = key.indexOf('{');
  return brace < 0 ? key : key.slice(0, brace);
}

/**
 * Checks the options and fills defaults.
 * @throws {VigilInputError} `INVALID_OPTION` naming the field.
 */
export function resolvePipelineOptions(options: PipelineOptions): ResolvedPipelineOptions {
  const hasFactory = typeof options?.createDetector === 'function';
  const d = options?.detectors;
  if (d !== undefined) {
    if (typeof d !== 'object' || d === null || typeof d.module !== 'string' || d.module === '') {
      throw new VigilInputError(
        'INVALID_OPTION',
        "options.detectors.module must name the module that builds detectors, e.g. '@vigil/detectors'.",
        'detectors.module',
      );
    }
    const specOk =
      typeof d.spec === 'function' ||
      (typeof d.spec === 'object' && d.spec !== null && typeof d.spec.kind === 'string');
    if (!specOk) {
      throw new VigilInputError(
        'INVALID_OPTION',
        "options.detectors.spec must be { kind, options } or (seriesKey) => { kind, options }, e.g. { kind: 'ensemble' }.",
        'detectors.spec',
      );
    }
  } else if (!hasFactory) {
    throw new VigilInputError(
      'INVALID_OPTION',
      'options.createDetector must be a function (seriesKey) => Detector, or options.detectors must name a module and a spec.',
      'createDetector',
    );
  }
  const warmup = checkNumberOption('options.warmup', options.warmup ?? 288, { min: 10, integer: true });
  const maxSeries = checkNumberOption('options.maxSeries', options.maxSeries ?? 100_000, {
    min: 1,
    integer: true,
  });
  const cores = typeof availableParallelism === 'function' ? availableParallelism() : 2;
  return {
    warmup,
    refitEvery: checkNumberOption('options.refitEvery', options.refitEvery ?? 0, { min: 0, integer: true }),
    history: checkNumberOption('options.history', options.history ?? 4 * warmup, {
      min: warmup,
      integer: true,
    }),
    maxSeries,
    maxSeriesPerMetric: checkNumberOption(
      'options.maxSeriesPerMetric',
      options.maxSeriesPerMetric ?? Math.min(10_000, maxSeries),
      { min: 1, integer: true },
    ),
    idleTimeout: checkNumberOption('options.idleTimeout', options.idleTimeout ?? 86_400_000, { min: 0 }),
    maxFuture: checkOption('options.maxFuture', options.maxFuture ?? 300_000),
    fitTimeout: checkNumberOption('options.fitTimeout', options.fitTimeout ?? 60_000, { min: 1 }),
    maxQueuedFits: checkNumberOption('options.maxQueuedFits', options.maxQueuedFits ?? 1000, {
      min: 1,
      integer: true,
    }),
    incidentWindow: checkNumberOption('options.incidentWindow', options.incidentWindow ?? 600_000, {
      min: 0,
    }),
    threads: checkNumberOption(
      'options.detectors.threads',
      d?.threads ?? Math.min(4, Math.max(1, cores - 1)),
      { min: 0, max: 64, integer: true },
    ),
    niceness: checkNumberOption('options.detectors.niceness', d?.niceness ?? 0, {
      min: 0,
      max: 19,
      integer: true,
    }),
    policy: options.policy instanceof AlertPolicy ? options.policy : new AlertPolicy(options.policy),
    now: typeof options.now === 'function' ? options.now : Date.now,
    metricOf: typeof options.metricOf === 'function' ? options.metricOf : metricOfKey,
  };
}

// maxFuture may be Infinity (no limit); any other value must be a finite number >= 0.
function checkOption(field: string, v: unknown): number {
  if (v === Number.POSITIVE_INFINITY) return v;
  return checkNumberOption(field, v, { min: 0 });
}
