import { z } from 'zod';

// One zod schema per section of vigil.yaml. A new section (for example `actions`) is one more entry in
// `configSections` (schema.ts) with its own schema; each section owns its defaults.

const port = z.number().int().min(0).max(65_535);
const host = z.string().min(1);

/** `receivers`: where OTLP comes in. */
export const receiversSection = z
  .strictObject({
    otlpHttp: z
      .strictObject({
        enabled: z.boolean().default(true),
        host: host.default('0.0.0.0'),
        port: port.default(4318),
        maxBodyBytes: z
          .number()
          .int()
          .positive()
          .default(8 * 1024 * 1024),
        maxDecompressedBytes: z
          .number()
          .int()
          .positive()
          .default(32 * 1024 * 1024),
        maxInFlightBytes: z
          .number()
          .int()
          .positive()
          .default(64 * 1024 * 1024),
        requestTimeoutMs: z.number().int().positive().default(30_000),
      })
      .prefault({}),
    otlpGrpc: z
      .strictObject({
        enabled: z.boolean().default(true),
        host: host.default('0.0.0.0'),
        port: port.default(4317),
        maxMessageBytes: z
          .number()
          .int()
          .positive()
          .default(8 * 1024 * 1024),
      })
      .prefault({}),
    /**
     * A hard cap on distinct series the receivers ever let through (no eviction). Omit it: `pipeline.maxSeries`
     * caps series with eviction, and `pipeline.maxSeriesPerMetric` each metric's cardinality.
     */
    maxSeries: z.number().int().positive().optional(),
    /** Bearer token the receivers require; `${ENV_VAR}` is expanded. */
    bearerToken: z.string().min(1).optional(),
    /**
     * Seconds a refused client is asked to wait before it retries (HTTP `Retry-After`, gRPC `RetryInfo`): while
     * starting or draining, over a queue bound, or when a cluster cannot store points (NATS down).
     */
    retryAfterSeconds: z.number().positive().max(300).default(5),
  })
  .prefault({});

/** One rule choosing the detector of the series whose key matches. */
const detectorRule = z.strictObject({
  /** Glob over the series key (`*` any run of characters, `?` one), e.g. `checkout/http.server.duration*`. */
  match: z.string().min(1),
  kind: z.string().min(1),
  options: z.record(z.string(), z.unknown()).default({}),
});

/** `pipeline`: detection. */
export const pipelineSection = z
  .strictObject({
    /** Points buffered before a series' detector is first fitted (the default ensemble needs at least 125). */
    warmup: z.number().int().min(10).default(180),
    refitEvery: z.number().int().min(0).default(0),
    history: z.number().int().positive().optional(),
    /** Events within this many ms of an open incident join it. */
    incidentWindowMs: z.number().min(0).default(120_000),
    /** Most series tracked; when full, the least recently updated 1% are evicted for new ones (counted). */
    maxSeries: z.number().int().positive().default(100_000),
    /** Most series per metric (`service/metric`); points of further new series of it are refused (counted). */
    maxSeriesPerMetric: z.number().int().positive().default(10_000),
    /** A series without points for this long (wall-clock ms) is evicted; 0 keeps series forever. */
    idleTimeoutMs: z.number().int().min(0).default(86_400_000),
    /** Points dated more than this many ms ahead of the wall clock are refused (counted). */
    maxFutureMs: z.number().int().min(0).default(300_000),
    /** A fit or refit running longer than this (ms) is abandoned and its worker thread restarted. */
    fitTimeoutMs: z.number().int().positive().default(60_000),
    /** Worker threads for fits and refits; 0 fits on the event loop. Default min(4, max(1, cores − 1)). */
    fitThreads: z.number().int().min(0).max(64).optional(),
    /** Unix nice value (0–19) of the fit threads on Linux: fits yield a contended core to the event loop. */
    fitNiceness: z.number().int().min(0).max(19).default(0),
    /** Fits waiting for a worker beyond which the receivers answer 429 / UNAVAILABLE (back-pressure). */
    maxQueuedFits: z.number().int().positive().default(1000),
    /** First matching rule wins; series matching none use `defaultDetector`. */
    detectors: z.array(detectorRule).default([]),
    defaultDetector: z
      .strictObject({
        kind: z.string().min(1).default('ensemble'),
        options: z.record(z.string(), z.unknown()).default({}),
      })
      .prefault({}),
    alert: z
      .strictObject({
        threshold: z.number().gt(0).lt(1).optional(),
        minPoints: z.number().int().positive().optional(),
        minDuration: z.number().min(0).optional(),
        maxGap: z.number().min(0).optional(),
        cooldown: z.number().min(0).optional(),
      })
      .prefault({}),
  })
  .prefault({});

/** One predictive-maintenance check over the series whose key matches. */
const maintenanceCheck = z.strictObject({
  match: z.string().min(1),
  /** `exhaustion`: when a filling resource (disk) reaches `capacity`; `leak`: steady growth (memory). */
  type: z.enum(['exhaustion', 'leak']),
  /** The level that counts as full, in the series' unit (for `exhaustion`). */
  capacity: z.number().positive().optional(),
  /** Warn when the forecast time to full is below this many seconds. */
  horizonSeconds: z.number().positive().default(3600),
  /** Points of history the check looks at. */
  window: z.number().int().min(10).default(120),
  /** Run the check every this many new points. */
  every: z.number().int().positive().default(10),
});

/** `maintenance`: forecast checks emitted as forecast events. */
export const maintenanceSection = z
  .array(
    maintenanceCheck.refine((c) => c.type !== 'exhaustion' || c.capacity !== undefined, {
      path: ['capacity'],
      message: 'an exhaustion check needs capacity: the level that counts as full, in the series’ unit',
    }),
  )
  .default([]);

/** `outputs`: where scores, events and incidents go. */
export const outputsSection = z
  .strictObject({
    console: z.strictObject({ enabled: z.boolean().default(true) }).prefault({}),
    otlp: z
      .strictObject({
        /** OTLP/HTTP base URL of the backend, e.g. `http://collector:4318`. */
        endpoint: z.url(),
        protocol: z.enum(['http/protobuf', 'http/json']).default('http/protobuf'),
        headers: z.record(z.string(), z.string()).default({}),
        exportIntervalMs: z.number().int().positive().default(10_000),
      })
      .optional(),
    alertmanager: z
      .strictObject({
        /** Alertmanager base URL (alerts are POSTed to `<url>/api/v2/alerts`) or any webhook taking that payload. */
        url: z.url(),
        maxAttempts: z.number().int().min(1).default(5),
        initialBackoffMs: z.number().int().min(1).default(500),
        timeoutMs: z.number().int().positive().default(5_000),
        labels: z.record(z.string(), z.string()).default({}),
      })
      .optional(),
  })
  .prefault({});

/** `state`: where detector snapshots live. */
export const stateSection = z
  .strictObject({
    /** Folder for snapshots; omit to keep no state. */
    dir: z.string().min(1).optional(),
    intervalSeconds: z.number().positive().default(60),
  })
  .prefault({});

/** `admin`: /healthz, /readyz and /metrics. */
export const adminSection = z
  .strictObject({
    enabled: z.boolean().default(true),
    host: host.default('0.0.0.0'),
    port: port.default(9464),
  })
  .prefault({});

const ms = z.number().int().min(0);
const globs = z.union([z.string().min(1), z.array(z.string().min(1))]);
const workload = z.strictObject({
  kind: z.enum(['Deployment', 'StatefulSet']),
  namespace: z.string().min(1).default('default'),
  name: z.string().min(1),
});
const responseAction = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('webhook'),
    url: z.url({ protocol: /^https?$/ }),
    headers: z.record(z.string(), z.string()).optional(),
    timeoutMs: z.number().int().positive().optional(),
  }),
  z.strictObject({
    type: z.literal('scale'),
    target: workload,
    step: z.number().int().optional(),
    min: z.number().int().min(0),
    max: z.number().int().min(0),
  }),
  z.strictObject({ type: z.literal('restart'), target: workload }),
  z.strictObject({
    type: z.literal('exec'),
    command: z.string().min(1),
    args: z.array(z.string()).optional(),
    timeoutMs: z.number().int().positive().optional(),
  }),
]);

/**
 * `actions`: automated responses (see `@vigil/core`'s ResponseEngine). Dry-run unless `dryRun: false`; every
 * decision goes to the OpenTelemetry logs audit trail. Placeholders `{service}`, `{series}`, `{incident}` in
 * action fields take the top root cause's values.
 */
export const actionsSection = z
  .strictObject({
    dryRun: z.boolean().default(true),
    cooldownMs: ms.default(15 * 60_000),
    rateLimit: z
      .strictObject({
        burst: z.number().int().min(1).default(3),
        perMinute: z.number().positive().default(1),
      })
      .prefault({}),
    maxActionsPerHour: z.number().int().min(1).default(20),
    approvalTimeoutMs: ms.default(5 * 60_000),
    kubernetes: z
      .strictObject({ kubeconfig: z.string().min(1).optional(), context: z.string().min(1).optional() })
      .prefault({}),
    policies: z
      .array(
        z.strictObject({
          name: z.string().min(1),
          on: z.enum(['incident', 'forecast']),
          match: z
            .strictObject({
              severity: z.string().min(1).optional(),
              series: globs.optional(),
              rootCause: globs.optional(),
              minDurationMs: ms.optional(),
              etaBelowMs: ms.optional(),
            })
            .optional(),
          action: responseAction,
          cooldownMs: ms.optional(),
          requireApproval: z.boolean().optional(),
        }),
      )
      .default([]),
  })
  .prefault({});
