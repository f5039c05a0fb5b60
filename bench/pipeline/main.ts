/**
 * The Pipeline at scale (issue 15), each number beside the peer it is compared with in the same run:
 *
 * - throughput on one core of fitted series — `mad` on 10 000 series, the default `ensemble` on 1 000 — against the
 *   same detectors' bare `update()` loop (the Pipeline's own cost is the difference);
 * - memory per fitted `mad` series beyond its history, at 10 000 and 100 000 series (heap + array buffers after GC,
 *   minus the history's typed arrays);
 * - event-loop delay (p99, `monitorEventLoopDelay`) while Prophet refits run, with fits in the worker pool against
 *   fits on the event loop (`threads: 0`, what the Pipeline did before), and against the same paced loop with no
 *   Pipeline (the delay the machine itself adds);
 * - a churn of 1 000 000 distinct series through a Pipeline capped at 100 000: memory stays bounded, evictions
 *   counted.
 *
 * Rows are keyed by `scenario`; a run of some scenarios (`PIPELINE_ONLY=a,b`) replaces only their rows, and rows
 * other scripts add to `bench/results/pipeline.json` (the NATS cluster's) are kept.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DiagConsoleLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import { createRng, loadDetector, Pipeline, type PointScore } from '@vigil/core';

if (process.env.PIPELINE_DIAG) diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.WARN);

import { createDetector } from '@vigil/detectors';
import { formatTable, mergeRows, type Row, readResult, writeResult } from '../lib/report.js';

const MODULE = '@vigil/detectors';
const T0 = Date.parse('2026-01-01T00:00:00Z');
const STEP = 60_000;
const only = process.env.PIPELINE_ONLY?.split(',');
// PIPELINE_SCALE < 1 shrinks every size for a quick check of the script itself; such a run writes no results.
const scale = Number(process.env.PIPELINE_SCALE ?? 1);
const n = (x: number) => Math.max(1, Math.round(x * scale));
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

const rows: Row[] = [];
function report(row: Row): void {
  rows.push(row);
  console.log(`\n${formatTable([row])}`);
}

/** Seeded values: a slow wave plus noise per series, so detectors see realistic, distinct data. */
function valuesFor(series: number, rounds: number, seed: number): Float64Array[] {
  const rng = createRng(seed);
  return Array.from({ length: series }, (_, s) => {
    const v = new Float64Array(rounds);
    for (let i = 0; i < rounds; i++) v[i] = 100 + (s % 17) + 5 * Math.sin((i + s) / 40) + rng.normal();
    return v;
  });
}

function heapBytes(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/**
 * Points/s of a fitted Pipeline against a bare update() loop over the same detectors and points: `warmRounds`
 * points per series to fit, then `rounds` measured.
 */
async function throughput(
  scenario: string,
  kind: 'mad' | 'ensemble',
  series: number,
  warmRounds: number,
  rounds: number,
  target: number,
): Promise<void> {
  if (only && !only.includes(scenario)) return;
  console.log(`${scenario}: fitting ${series} '${kind}' series in the worker pool …`);
  const data = valuesFor(series, warmRounds + rounds, 7);
  const keys = Array.from({ length: series }, (_, s) => `bench/metric.${s}`);
  const pipeline = new Pipeline({
    detectors: { module: MODULE, spec: { kind }, threads: 1 },
    warmup: warmRounds,
    history: warmRounds,
    maxSeries: series,
    maxSeriesPerMetric: series,
    maxFuture: Number.POSITIVE_INFINITY,
    rootCause: false,
  });
  for (let i = 0; i < warmRounds; i++)
    for (let s = 0; s < series; s++) pipeline.push(keys[s], T0 + i * STEP, data[s][i]);
  const fitStart = performance.now();
  await pipeline.idle();
  const fitSeconds = (performance.now() - fitStart) / 1000;
  // The peer: the same detectors, fitted on the same points, updated in a bare loop (no Pipeline around them).
  const bare = await Promise.all(
    keys.map(async (_, s) => {
      const d = createDetector(kind);
      await d.fit({
        timestamps: Float64Array.from({ length: warmRounds }, (_, i) => T0 + i * STEP),
        values: data[s].subarray(0, warmRounds),
      });
      return d;
    }),
  );
  let sink = 0;
  // Wall seconds (the target's measure) and CPU seconds of the process (what the run cost, whatever else the
  // machine was doing: on a shared machine the wall time also holds the time the thread waited for a core).
  const run = (push: (s: number, t: number, v: number) => PointScore | undefined) => {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    for (let i = warmRounds; i < warmRounds + rounds; i++) {
      const t = T0 + i * STEP;
      for (let s = 0; s < series; s++) sink += push(s, t, data[s][i])?.score ?? 0;
    }
    const c = process.cpuUsage(c0);
    return [(performance.now() - t0) / 1000, (c.user + c.system) / 1e6];
  };
  const [bareSeconds] = run((s, t, v) => bare[s].update(t, v));
  const scoredBefore = pipeline.stats.scored;
  const [seconds, cpuSeconds] = run((s, t, v) => pipeline.push(keys[s], t, v));
  const points = series * rounds;
  const scored = pipeline.stats.scored - scoredBefore;
  const pps = Math.round(points / seconds);
  report({
    scenario,
    detector: kind,
    series,
    points,
    scored,
    'points/s': pps,
    'points/s (CPU time)': Math.round(points / cpuSeconds),
    'bare update() points/s': Math.round(points / bareSeconds),
    'pipeline / bare': Number((bareSeconds / seconds).toFixed(3)),
    'fit s (worker pool)': Number(fitSeconds.toFixed(1)),
    target: `>= ${target} points/s`,
    met: pps >= target,
  });
  if (sink === -1) console.log(sink);
  await pipeline.close();
}

/** Bytes per fitted `mad` series beyond its history's typed arrays, after GC. */
async function memory(scenario: string, series: number): Promise<void> {
  if (only && !only.includes(scenario)) return;
  const history = 60;
  console.log(`${scenario}: ${series} fitted 'mad' series with ${history} points of history each …`);
  const data = valuesFor(Math.min(series, 1000), history, 3);
  const before = heapBytes();
  const pipeline = new Pipeline({
    detectors: { module: MODULE, spec: { kind: 'mad' }, threads: 1 },
    warmup: history,
    history,
    maxSeries: series,
    maxSeriesPerMetric: series,
    maxFuture: Number.POSITIVE_INFINITY,
    rootCause: false,
  });
  for (let i = 0; i < history; i++)
    for (let s = 0; s < series; s++) pipeline.push(`bench/metric.${s}`, T0 + i * STEP, data[s % 1000][i]);
  await pipeline.idle();
  // One scored point each, so every detector's streaming state exists as it does in service.
  for (let s = 0; s < series; s++) pipeline.push(`bench/metric.${s}`, T0 + history * STEP, data[s % 1000][0]);
  const after = heapBytes();
  const historyBytes = pipeline.historyBytes();
  const perSeries = (after - before - historyBytes) / series;
  // The peer: the same fitted detector alone, restored from its snapshot as the Pipeline does (what of the bytes
  // per series is the detector's own state, and what the Pipeline's bookkeeping).
  const snapshot = pipeline.snapshotSeries('bench/metric.0')?.detector;
  const k = Math.min(series, 10_000);
  const bare: unknown[] = [];
  const b0 = heapBytes();
  for (let i = 0; i < k && snapshot; i++) bare.push(loadDetector(structuredClone(snapshot)));
  const detectorBytes = (heapBytes() - b0) / k;
  report({
    scenario,
    detector: 'mad',
    series,
    fitted: pipeline.stats.fits,
    'history points/series': history,
    'history bytes/series': Math.round(historyBytes / series),
    'bytes/series beyond history': Math.round(perSeries),
    'of which the detector': Math.round(detectorBytes),
    'pipeline bookkeeping': Math.round(perSeries - detectorBytes),
    target: '<= 4096 bytes/series',
    met: perSeries <= 4096,
  });
  if (bare.length < 0) console.log(bare);
  await pipeline.close();
}

/**
 * p99 event-loop delay while Prophet refits run: points are pushed in small paced batches (one per series per
 * turn of the loop) so that the loop's own work stays small, and refits come due every `refitEvery` points.
 */
async function eventLoop(scenario: string, threads: number): Promise<void> {
  if (only && !only.includes(scenario)) return;
  const series = 4;
  // A week of 5-minute points: each Prophet fit takes a noticeable time, on whichever thread runs it.
  const warmup = 7 * 288;
  const refitEvery = 288;
  const rounds = warmup + 3 * refitEvery;
  heapBytes(); // start from a collected heap: a major GC of an earlier scenario's garbage is not a refit's doing
  console.log(
    `${scenario}: ${series} Prophet series, refits every ${refitEvery} points, threads ${threads} …`,
  );
  const data = valuesFor(series, rounds, 11);
  const pipeline = new Pipeline({
    detectors: {
      module: MODULE,
      spec: { kind: 'prophet', options: { refitEvery, uncertaintySamples: 100 } },
      threads,
    },
    warmup,
    history: warmup,
    maxFuture: Number.POSITIVE_INFINITY,
    rootCause: false,
  });
  const turn = () => new Promise((resolve) => setImmediate(resolve));
  let i = 0;
  for (; i < warmup; i++)
    for (let s = 0; s < series; s++) pipeline.push(`svc/p${s}`, T0 + i * STEP, data[s][i]);
  await pipeline.idle();
  const fitsBefore = pipeline.stats.fits;
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const t0 = performance.now();
  let worstPush = 0;
  for (; i < rounds; i++) {
    for (let s = 0; s < series; s++) {
      const p0 = performance.now();
      pipeline.push(`svc/p${s}`, T0 + i * STEP, data[s][i]);
      worstPush = Math.max(worstPush, performance.now() - p0);
    }
    await turn();
  }
  await pipeline.idle();
  h.disable();
  const seconds = (performance.now() - t0) / 1000;
  const ms = (ns: number) => Number((ns / 1e6).toFixed(2));
  report({
    scenario,
    detector: 'prophet',
    series,
    'fits in': threads > 0 ? `worker pool (${threads} thread)` : 'event loop',
    refits: pipeline.stats.fits - fitsBefore,
    seconds: Number(seconds.toFixed(1)),
    'loop delay p50 ms': ms(h.percentile(50)),
    'loop delay p99 ms': ms(h.percentile(99)),
    'loop delay max ms': ms(h.max),
    'slowest push ms': Number(worstPush.toFixed(2)),
    target: threads > 0 ? 'p99 < 5 ms' : 'peer (before)',
    met: threads > 0 ? h.percentile(99) / 1e6 < 5 : null,
  });
  await pipeline.close();
}

/**
 * The peer of the loop-delay rows: the same paced loop (one turn per round, a little work per turn) with no Pipeline
 * at all — the delay the machine itself adds (a shared machine preempts the thread; nothing a Pipeline can remove).
 */
async function loopBaseline(scenario: string): Promise<void> {
  if (only && !only.includes(scenario)) return;
  heapBytes();
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const t0 = performance.now();
  let sink = 0;
  // As long as the Prophet rows stream (about a second), with about as much work per turn as their pushes.
  for (let i = 0; performance.now() - t0 < 1500; i++) {
    for (let k = 0; k < 400; k++) sink += Math.sqrt(i + k);
    await new Promise((resolve) => setImmediate(resolve));
  }
  h.disable();
  const ms = (ns: number) => Number((ns / 1e6).toFixed(2));
  report({
    scenario,
    detector: '-',
    'fits in': 'no pipeline',
    seconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
    'loop delay p50 ms': ms(h.percentile(50)),
    'loop delay p99 ms': ms(h.percentile(99)),
    'loop delay max ms': ms(h.max),
    target: 'peer (the machine)',
    met: null,
  });
  if (sink < 0) console.log(sink);
}

/** A million distinct series, one point each, through a Pipeline capped at 100 000 series. */
async function churn(scenario: string): Promise<void> {
  if (only && !only.includes(scenario)) return;
  const total = n(1_000_000);
  const cap = n(100_000);
  console.log(`${scenario}: ${total} distinct series into a Pipeline capped at ${cap} …`);
  const before = heapBytes();
  const pipeline = new Pipeline({
    createDetector: () => createDetector('mad'),
    maxSeries: cap,
    maxSeriesPerMetric: total,
    maxFuture: Number.POSITIVE_INFINITY,
    rootCause: false,
  });
  const t0 = performance.now();
  for (let k = 0; k < total; k++) pipeline.push(`churn/m{id=${k}}`, T0, k % 100);
  const seconds = (performance.now() - t0) / 1000;
  const grown = heapBytes() - before;
  const s = pipeline.stats;
  report({
    scenario,
    'distinct series': total,
    maxSeries: cap,
    'series held': s.series,
    evicted: s.evictedLru,
    'heap growth MiB': Number((grown / 2 ** 20).toFixed(1)),
    'points/s': Math.round(total / seconds),
    target: 'series held <= maxSeries; evictions counted',
    met: s.series <= cap && s.evictedLru + s.series === total,
  });
  await pipeline.close();
}

await loopBaseline('event-loop-baseline');
await eventLoop('prophet-refits-worker-pool', 1);
await eventLoop('prophet-refits-event-loop', 0);
await throughput('mad-10k-throughput', 'mad', n(10_000), 60, 50, 500_000);
await throughput('ensemble-1k-throughput', 'ensemble', n(1_000), 288, 50, 20_000);
await memory('mad-10k-memory', n(10_000));
await memory('mad-100k-memory', n(100_000));
await churn('series-churn-1m');

if (scale !== 1) {
  console.log(`PIPELINE_SCALE=${scale}: a check of the script, no results written`);
  process.exit(0);
}
const previous = readResult('pipeline');
const ran = new Set(rows.map((r) => String(r.scenario)));
writeResult('pipeline', mergeRows((previous?.rows as Row[] | undefined) ?? [], rows, ran, 'scenario'), {
  protocol:
    'one process, one core for the event loop (fits in 1 worker thread); throughput = pushes of fitted series timed on the event loop; memory = (heapUsed + arrayBuffers) after GC, minus the history typed arrays, divided by series; loop delay = perf_hooks.monitorEventLoopDelay (1 ms resolution) while points are pushed one per series per loop turn and Prophet refits run',
});
