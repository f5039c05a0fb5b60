import { z } from 'zod';

const port = z.number().int().min(1).max(65_535);

/**
 * `ebpf`: telemetry `vigil serve` collects itself from the kernel, with no change to the programs it watches
 * (`@vigil/ebpf-native`; Linux, root or CAP_BPF + CAP_PERFMON, BTF). Its series go into the same Pipeline as OTLP.
 *
 * `enabled: auto` starts the probes when the host allows them and says why not otherwise; `true` makes a host
 * without eBPF a start-up error; `false` (the default) never loads them.
 */
export const ebpfSection = z
  .strictObject({
    enabled: z.union([z.boolean(), z.literal('auto')]).default(false),
    /** Milliseconds per point of every eBPF series. */
    intervalMs: z.number().int().min(100).max(60_000).default(1000),
    /** Service name of host-wide series (the run queue). */
    hostService: z.string().min(1).default('host'),
    /** Scheduler run-queue latency of the whole host: p50/p90/p99 in ms per interval. */
    runQueue: z.strictObject({ enabled: z.boolean().default(true) }).prefault({}),
    /**
     * Zero-code HTTP/1.x and gRPC (h2c) request tracing: request rate, error ratio, p50/p99 duration per service and
     * route. Narrow it with `pids` or `ports`: tracing every process costs more.
     */
    http: z
      .strictObject({
        enabled: z.boolean().default(true),
        /** Only these processes (default every process). */
        pids: z.array(z.number().int().positive()).max(1024).default([]),
        /** Only connections to these server ports (default any). */
        ports: z.array(port).max(64).default([]),
        side: z.enum(['server', 'client', 'both']).default('server'),
        /** Distinct routes kept per service before the rest are counted as one. */
        maxRoutes: z.number().int().min(1).max(10_000).default(100),
      })
      .prefault({}),
  })
  .prefault({});

/** The parsed `ebpf` section. */
export type EbpfConfig = z.infer<typeof ebpfSection>;
