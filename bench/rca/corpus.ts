/**
 * The seeded root-cause corpus: small service graphs (callers on top, data stores at the bottom) with one fault at a
 * time injected at one service and propagated to its callers with delays, attenuation and noise.
 *
 * Each service exports three 1-minute series: `<svc>/latency` (ms), `<svc>/errors` (errors/s) and `<svc>/cpu`
 * (utilisation). A fault is a latency slowdown, an error burst or CPU saturation (which also slows the service).
 * A caller is hit with probability 0.85 per affected callee, 0–2 minutes after it, by 40–90 % of the callee's
 * extra latency and errors, so some paths attenuate or break. Sometimes an unrelated service has a short blip
 * in the same window (a confounder). Faults are 3 hours apart, after a day of clean warm-up.
 */
import { createRng, type Rng, Topology } from '@vigil/core';

export const MINUTE = 60_000;
export const WARMUP_MINUTES = 1440;
const FAULT_SPACING = 180;

const NAMES = [
  ['frontend', 'gateway', 'mobile-bff'],
  ['checkout', 'cart', 'search', 'accounts', 'recommend'],
  ['payments', 'inventory', 'catalog', 'shipping', 'pricing', 'auth'],
  ['db', 'cache', 'queue', 'ledger', 'object-store'],
];

export type FaultKind = 'latency' | 'errors' | 'cpu';

export interface Fault {
  readonly id: string;
  readonly root: string;
  readonly kind: FaultKind;
  /** The series the fault was injected into. */
  readonly rootSeries: string;
  /** Minute index of the root's onset and the fault's end there. */
  readonly start: number;
  readonly end: number;
  /** Every affected service with its onset delay in minutes (the root at 0). */
  readonly affected: ReadonlyMap<string, number>;
  /** An unrelated service's blip in the same window, if any. */
  readonly confounder?: string;
}

export interface Scenario {
  readonly seed: number;
  readonly services: readonly string[];
  readonly edges: ReadonlyArray<{ caller: string; callee: string }>;
  readonly topology: Topology;
  readonly minutes: number;
  readonly start: number;
  /** Values per series key, one per minute. */
  readonly series: ReadonlyMap<string, Float64Array>;
  readonly faults: readonly Fault[];
}

interface ServiceModel {
  latency: number;
  errors: number;
  cpu: number;
}

function pick<T>(rng: Rng, a: readonly T[]): T {
  return a[rng.int(a.length)];
}

function buildGraph(rng: Rng): { services: string[]; edges: Array<{ caller: string; callee: string }> } {
  const layers: string[][] = NAMES.map((pool, l) => {
    const n = l === 0 ? 1 + rng.int(2) : 2 + rng.int(2);
    return rng.shuffle([...pool]).slice(0, n);
  });
  const edges: Array<{ caller: string; callee: string }> = [];
  const has = (a: string, b: string) => edges.some((e) => e.caller === a && e.callee === b);
  for (let l = 0; l + 1 < layers.length; l++) {
    for (const caller of layers[l]) {
      const k = 1 + rng.int(Math.min(3, layers[l + 1].length));
      for (const callee of rng.shuffle([...layers[l + 1]]).slice(0, k)) edges.push({ caller, callee });
      if (l + 2 < layers.length && rng.next() < 0.3) edges.push({ caller, callee: pick(rng, layers[l + 2]) });
    }
    // Every service below the top has a caller.
    for (const callee of layers[l + 1]) {
      if (!edges.some((e) => e.callee === callee)) {
        const caller = pick(rng, layers[l]);
        if (!has(caller, callee)) edges.push({ caller, callee });
      }
    }
  }
  return { services: layers.flat(), edges };
}

/** One scenario: a service graph and `faults` faults, all from `seed`. */
export function generateScenario(seed: number, faults = 8): Scenario {
  const rng = createRng(seed);
  const { services, edges } = buildGraph(rng);
  const callers = new Map<string, string[]>(services.map((s) => [s, []]));
  for (const e of edges) callers.get(e.callee)!.push(e.caller);
  const minutes = WARMUP_MINUTES + faults * FAULT_SPACING + 60;
  const start = Date.UTC(2026, 10, 2);

  const base = new Map<string, ServiceModel>(
    services.map((s) => [
      s,
      { latency: 10 + 190 * rng.next(), errors: 0.2 + 2 * rng.next(), cpu: 0.2 + 0.3 * rng.next() },
    ]),
  );
  // Extra latency (ms), errors (/s) and CPU per service per minute, filled by the faults.
  const extra = new Map<string, { latency: Float64Array; errors: Float64Array; cpu: Float64Array }>(
    services.map((s) => [
      s,
      {
        latency: new Float64Array(minutes),
        errors: new Float64Array(minutes),
        cpu: new Float64Array(minutes),
      },
    ]),
  );

  const list: Fault[] = [];
  for (let f = 0; f < faults; f++) {
    const root = pick(rng, services);
    const kind = pick(rng, ['latency', 'errors', 'cpu'] as const);
    const begin = WARMUP_MINUTES + 60 + f * FAULT_SPACING + rng.int(30);
    const duration = 10 + rng.int(21);
    const ramp = rng.next() < 0.3 ? 3 + rng.int(3) : 0;
    const b = base.get(root)!;
    let dLatency = 0;
    let dErrors = 0;
    let dCpu = 0;
    if (kind === 'latency') dLatency = b.latency * (1 + 3 * rng.next());
    if (kind === 'errors') dErrors = 5 + 15 * rng.next();
    if (kind === 'cpu') {
      dCpu = 0.95 - b.cpu;
      dLatency = b.latency * (0.5 + 1.5 * rng.next());
    }
    // Breadth-first up the callers: each caller is hit after its callee, attenuated.
    const affected = new Map<string, number>([[root, 0]]);
    const effect = new Map<string, { latency: number; errors: number }>([
      [root, { latency: dLatency, errors: dErrors }],
    ]);
    const queue = [root];
    while (queue.length > 0) {
      const s = queue.shift()!;
      for (const c of callers.get(s)!) {
        if (affected.has(c) || rng.next() >= 0.85) continue;
        const alpha = 0.4 + 0.5 * rng.next();
        const e = effect.get(s)!;
        affected.set(c, affected.get(s)! + rng.int(3));
        effect.set(c, { latency: alpha * e.latency, errors: alpha * e.errors });
        queue.push(c);
      }
    }
    for (const [s, delay] of affected) {
      const e = effect.get(s)!;
      const x = extra.get(s)!;
      for (let m = begin + delay; m < begin + delay + duration && m < minutes; m++) {
        const shape = ramp > 0 ? Math.min(1, (m - begin - delay + 1) / ramp) : 1;
        x.latency[m] += shape * e.latency;
        x.errors[m] += shape * e.errors;
        if (s === root) x.cpu[m] += shape * dCpu;
      }
    }
    let confounder: string | undefined;
    const bystanders = services.filter((s) => !affected.has(s));
    if (bystanders.length > 0 && rng.next() < 0.25) {
      confounder = pick(rng, bystanders);
      const at = begin - 5 + rng.int(20);
      const x = extra.get(confounder)!;
      for (let m = at; m < at + 2 + rng.int(3); m++) x.cpu[m] += 0.4;
    }
    const rootSeries = `${root}/${kind}`;
    list.push({
      id: `s${seed}-f${f}`,
      root,
      kind,
      rootSeries,
      start: begin,
      end: begin + duration,
      affected,
      confounder,
    });
  }

  const series = new Map<string, Float64Array>();
  for (const s of services) {
    const b = base.get(s)!;
    const x = extra.get(s)!;
    const latency = new Float64Array(minutes);
    const errors = new Float64Array(minutes);
    const cpu = new Float64Array(minutes);
    for (let m = 0; m < minutes; m++) {
      const daily = Math.sin((2 * Math.PI * ((m % 1440) - 540)) / 1440);
      latency[m] = (b.latency * (1 + 0.1 * daily) + x.latency[m]) * Math.exp(0.06 * rng.normal());
      const rate = b.errors * (1 + 0.3 * daily) + x.errors[m];
      errors[m] = Math.max(0, rate + Math.sqrt(rate / 60) * rng.normal());
      cpu[m] = Math.min(1, Math.max(0, b.cpu * (1 + 0.3 * daily) + x.cpu[m] + 0.015 * rng.normal()));
    }
    series.set(`${s}/latency`, latency);
    series.set(`${s}/errors`, errors);
    series.set(`${s}/cpu`, cpu);
  }
  return {
    seed,
    services,
    edges,
    topology: new Topology(edges),
    minutes,
    start,
    series,
    faults: list,
  };
}
