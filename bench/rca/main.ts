/**
 * bench/rca: root-cause ranking on a seeded corpus of multi-service incidents with a known cause (see corpus.ts).
 *
 * Protocol: each scenario's series go point by point through a real Pipeline (one `mad` detector per series,
 * warm-up and refits, the alert policy and incident grouping of examples/closed-loop). For every injected fault the
 * incident holding most of its affected series is ranked; a fault counts as top-k when its root service is among
 * the first k distinct services of the ranking. "Merged" means every affected series that alerted inside the
 * fault's window landed in that one incident. Side by side on the same incidents: the ranking without the call
 * graph, from event timing alone, and two naive orders (first event to start, highest anomaly score).
 * Writes bench/results/rca.json.
 */
import { createRng, type Incident, Pipeline, rankRootCauses, serviceOf, Topology } from '@vigil/core';
import { createDetector } from '@vigil/detectors';
import { type Row, writeResult } from '../lib/report.js';
import { type Fault, generateScenario, MINUTE, type Scenario } from './corpus.js';

const SEEDS = Array.from(
  { length: Number(process.env.RCA_SCENARIOS ?? 25) },
  (_, i) => i + 1 + Number(process.env.RCA_SEED_OFFSET ?? 0),
);
const FAULTS_PER_SCENARIO = 8;

type Method =
  | 'vigil'
  | 'vigil-half-topology'
  | 'vigil-no-topology'
  | 'vigil-event-timing'
  | 'first-event'
  | 'highest-score';
const METHODS: Method[] = [
  'vigil',
  'vigil-half-topology',
  'vigil-no-topology',
  'vigil-event-timing',
  'first-event',
  'highest-score',
];

interface FaultResult {
  fault: Fault;
  detected: boolean;
  merged: boolean;
  incidents: number;
  /** 1-based rank of the root service per method (Infinity when absent). */
  rank: Record<Method, number>;
  /** The top series is the injected one. */
  seriesTop1: Record<Method, boolean>;
  summary?: string;
  /** Distinct services in the fault's incident. */
  services: number;
}

// Call graphs inferred from traffic are rarely complete: the same ranking with a seeded half of the edges missing.
const halfTopologies = new Map<number, Topology>();
function halfTopology(scenario: Scenario): Topology {
  let t = halfTopologies.get(scenario.seed);
  if (!t) {
    const rng = createRng(scenario.seed + 7919);
    t = new Topology(scenario.edges.filter(() => rng.next() < 0.5));
    halfTopologies.set(scenario.seed, t);
  }
  return t;
}

function ordering(incident: Incident, method: Method, scenario: Scenario, pipeline: Pipeline): string[] {
  const history = (k: string) => pipeline.history(k);
  switch (method) {
    case 'vigil':
      return incident.rootCauses!.causes.map((c) => c.seriesKey);
    case 'vigil-half-topology':
      return rankRootCauses(incident, { history, topology: halfTopology(scenario) }).causes.map(
        (c) => c.seriesKey,
      );
    case 'vigil-no-topology':
      return rankRootCauses(incident, { history }).causes.map((c) => c.seriesKey);
    case 'vigil-event-timing':
      return rankRootCauses(incident).causes.map((c) => c.seriesKey);
    case 'first-event':
      return [...incident.events].sort((a, b) => a.start - b.start).map((e) => e.seriesKey);
    case 'highest-score':
      return [...incident.events].sort((a, b) => b.peakScore - a.peakScore).map((e) => e.seriesKey);
  }
}

function rankOf(keys: string[], root: string): number {
  const services = [...new Set(keys.map(serviceOf))];
  const i = services.indexOf(root);
  return i < 0 ? Number.POSITIVE_INFINITY : i + 1;
}

async function runScenario(scenario: Scenario): Promise<FaultResult[]> {
  const closed: Incident[] = [];
  const pipeline = new Pipeline({
    createDetector: () => createDetector('mad', { window: 30 }),
    warmup: 720,
    refitEvery: 1440,
    history: 4 * 1440,
    policy: { threshold: 0.99999, maxGap: 5 * MINUTE, minPoints: 2 },
    incidentWindow: 20 * MINUTE,
    topology: scenario.topology,
    onIncident: (incident, change) => {
      if (change === 'closed') closed.push(incident);
    },
  });
  const keys = [...scenario.series.keys()];
  for (let m = 0; m < scenario.minutes; m++) {
    const t = scenario.start + m * MINUTE;
    for (const key of keys) pipeline.push(key, t, scenario.series.get(key)![m]);
    if (m % 60 === 0) await pipeline.idle();
  }
  await pipeline.flush();

  return scenario.faults.map((fault) => {
    const maxDelay = Math.max(...fault.affected.values());
    const from = scenario.start + (fault.start - 5) * MINUTE;
    const to = scenario.start + (fault.end + maxDelay + 30) * MINUTE;
    const affectedSeries = (i: Incident) =>
      i.events.filter((e) => fault.affected.has(serviceOf(e.seriesKey)) && e.start >= from && e.start <= to);
    const touching = closed.filter((i) => affectedSeries(i).length > 0);
    const rank = {} as Record<Method, number>;
    const seriesTop1 = {} as Record<Method, boolean>;
    if (touching.length === 0) {
      for (const m of METHODS) {
        rank[m] = Number.POSITIVE_INFINITY;
        seriesTop1[m] = false;
      }
      return { fault, detected: false, merged: false, incidents: 0, rank, seriesTop1, services: 0 };
    }
    const main = touching.reduce((a, b) => (affectedSeries(b).length > affectedSeries(a).length ? b : a));
    for (const m of METHODS) {
      const order = ordering(main, m, scenario, pipeline);
      rank[m] = rankOf(order, fault.root);
      seriesTop1[m] = order[0] === fault.rootSeries;
    }
    return {
      fault,
      detected: true,
      merged: touching.length === 1,
      incidents: touching.length,
      rank,
      seriesTop1,
      summary: main.rootCauses?.summary,
      services: new Set(main.series.map(serviceOf)).size,
    };
  });
}

const results: FaultResult[] = [];
const t0 = performance.now();
for (const [n, seed] of SEEDS.entries()) {
  const scenario = generateScenario(seed, FAULTS_PER_SCENARIO);
  const r = await runScenario(scenario);
  results.push(...r);
  const top1 = r.filter((x) => x.rank.vigil === 1).length;
  console.log(
    `scenario ${n + 1}/${SEEDS.length} (seed ${seed}): ${scenario.services.length} services, ` +
      `${r.filter((x) => x.detected).length}/${r.length} faults detected, ${top1} ranked first ` +
      `(${((performance.now() - t0) / 1000).toFixed(0)} s)`,
  );
}

const detected = results.filter((r) => r.detected);
const share = (k: number, m: Method) => detected.filter((r) => r.rank[m] <= k).length / detected.length;
const rows: Row[] = METHODS.map((m) => ({
  method: m,
  faults: detected.length,
  top1: share(1, m),
  top3: share(3, m),
  seriesTop1: detected.filter((r) => r.seriesTop1[m]).length / detected.length,
  meanRank: detected.reduce((a, r) => a + Math.min(r.rank[m], 10), 0) / detected.length,
}));
const byKind = (['latency', 'errors', 'cpu'] as const).map((kind) => {
  const d = detected.filter((r) => r.fault.kind === kind);
  return {
    kind,
    faults: d.length,
    top1: d.filter((r) => r.rank.vigil === 1).length / d.length,
    top3: d.filter((r) => r.rank.vigil <= 3).length / d.length,
  };
});
const confounded = detected.filter((r) => r.fault.confounder);
// Incidents on one service only are ranked right by construction; the ones spanning services are the test.
const multi = detected.filter((r) => r.services >= 2);
const merged = detected.filter((r) => r.merged).length / detected.length;
const misses = detected
  .filter((r) => r.rank.vigil !== 1)
  .slice(0, 12)
  .map((r) => ({
    fault: r.fault.id,
    root: r.fault.rootSeries,
    rank: Number.isFinite(r.rank.vigil) ? r.rank.vigil : null,
    confounder: r.fault.confounder ?? null,
    summary: r.summary,
  }));
const summary = {
  scenarios: SEEDS.length,
  faults: results.length,
  detected: detected.length,
  detectedShare: detected.length / results.length,
  top1: share(1, 'vigil'),
  top3: share(3, 'vigil'),
  mergedShare: merged,
  meanIncidentsPerFault: detected.reduce((a, r) => a + r.incidents, 0) / detected.length,
  multiServiceFaults: multi.length,
  multiServiceTop1: multi.filter((r) => r.rank.vigil === 1).length / Math.max(1, multi.length),
  multiServiceTop3: multi.filter((r) => r.rank.vigil <= 3).length / Math.max(1, multi.length),
  multiServiceTop1Baselines: Object.fromEntries(
    METHODS.map((m) => [m, multi.filter((r) => r.rank[m] === 1).length / Math.max(1, multi.length)]),
  ),
  confoundedFaults: confounded.length,
  confoundedTop1: confounded.filter((r) => r.rank.vigil === 1).length / Math.max(1, confounded.length),
  targets: { top1: 0.8, top3: 0.95 },
  met: share(1, 'vigil') >= 0.8 && share(3, 'vigil') >= 0.95,
  seconds: (performance.now() - t0) / 1000,
};
console.log('');
writeResult('rca', rows, {
  summary,
  byKind,
  examples: detected
    .slice(0, 6)
    .map((r) => ({ fault: r.fault.id, root: r.fault.rootSeries, summary: r.summary })),
  misses,
  protocol:
    'Seeds 1–25, 8 faults each; mad(window 30) per series, threshold 0.99999, maxGap 5 min, minPoints 2, ' +
    'incidentWindow 20 min. Root service correct when among the first k distinct services of the ranking. ' +
    'vigil-half-topology: the same ranking with a seeded half of the call edges removed. The ranking weights ' +
    'were chosen on seeds 1001–1020, not on these.',
});
console.log(
  `\ntop-1 ${(summary.top1 * 100).toFixed(1)} % (target 80 %), top-3 ${(summary.top3 * 100).toFixed(1)} % (target 95 %), ` +
    `merged ${(merged * 100).toFixed(1)} %, detected ${detected.length}/${results.length} faults`,
);
