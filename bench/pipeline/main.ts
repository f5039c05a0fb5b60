/**
 * The Pipeline at scale (issue 15), each number beside the peer it is compared with in the same run:
 *
 * - throughput on one core of fitted series — `mad` on 10 000 series, the default `ensemble` on 1 000 — against the
 *   same detectors' bare `update()` loop (the Pipeline's own cost is the difference);
 * - memory per fitted `mad` series beyond its history, at 10 000 and 100 000 series (heap + array buffers after GC,
 *   minus the history's typed arrays);
 * - event-loop delay (p99, `monitorEventLoopDelay`) while Prophet refits run, with fits in the worker pool against
 *   fits on the event loop (`threads: 0`, what the Pipeline did before), and against the same paced loop with no
 *   Pipeline (the delay the machine itself adds), each run several times with the main thread's CPU time and
 *   run-queue wait, so that work on the loop and a machine that does not schedule it can be told apart;
 * - a churn of 1 000 000 distinct series through a Pipeline capped at 100 000: memory stays bounded, evictions
 *   counted.
 *
 * Rows are keyed by `scenario`; a run of some scenarios (`PIPELINE_ONLY=a,b`) replaces only their rows, and rows
 * other scripts add to `bench/results/pipeline.json` (the NATS cluster's) are kept.
 */

import { loadavg } from 'node:os';
import { serialize } from 'node:v8';
import { DiagConsoleLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import { createRng, type DetectorSnapshot, loadDetector, Pipeline, type PointScore } from '@vigil/core';

if (process.env.PIPELINE_DIAG) diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.WARN);

import { createDetector } from '@vigil/detectors';
import { formatTable, mergeRows, type Row, readResult, writeResult } from '../lib/report.js';
import { LoopProbe, type LoopStats, schedstat } from './loop-probe.js';

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
  const loadStart = loadavg()[0];
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
    'load average (1 min) during run': `${loadStart.toFixed(2)}-${loadavg()[0].toFixed(2)}`,
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

// The loop-delay rows: 4 Prophet series (a week of 5-minute points each to fit on), a refit every 288 points, and
// PROPHET_CYCLES refit cycles streamed in rounds of one point per series; each scenario runs LOOP_RUNS times,
// interleaved with its peers, so that the spread a shared machine adds shows.
const PROPHET_SERIES = 4;
const PROPHET_WARMUP = 7 * 288;
const REFIT_EVERY = 288;
const PROPHET_CYCLES = 6;
/** A round of points every PACE_MS: points arrive over time, as they do from senders (see `pacing`). */
const PACE_MS = 2;
/** A round later than this, ms, is a stall (see `stream`). */
const STALL_MS = 5;
const LOOP_RUNS = Number(process.env.PIPELINE_LOOP_RUNS ?? 5);
/** Nice value of the fit threads (the Pipeline's default, 0, unless PIPELINE_FIT_NICENESS says otherwise). */
const FIT_NICENESS = Number(process.env.PIPELINE_FIT_NICENESS ?? 0);

/** How rounds are spaced: by the wall clock (a round every PACE_MS), or one per turn of the loop, unpaced. */
type Pacing = 'paced' | 'unpaced';

function pacingText(pacing: Pacing, series: number): string {
  return pacing === 'paced'
    ? `a round of ${series} points every ${PACE_MS} ms (${Math.round((series * 1000) / PACE_MS)} points/s), refits spread over the cycle`
    : `unpaced: a round of ${series} points per turn of the loop, all series' refits due together`;
}

/**
 * Streams `rounds` rounds, each `round(i)`, spaced by `pacing` (a paced round i starts at t0 + i · PACE_MS). Returns
 * the stalls: rounds that started more than STALL_MS after they should have (after the previous round plus the pace),
 * and the time lost in them. Unlike the delay percentiles — one sample per turn of the loop, so a 25 ms block and a
 * 1 ms turn weigh the same — this counts blocked time as time.
 */
async function stream(rounds: number, pacing: Pacing, round: (i: number) => void): Promise<Stalls> {
  const t0 = performance.now();
  let last = t0;
  let lastSched = schedstat();
  const st = { stalls: 0, stalledMs: 0, stalledRanMs: 0, stalledWaitedMs: 0 };
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    const sched = schedstat();
    const late = start - last - (pacing === 'paced' && i > 0 ? PACE_MS : 0);
    if (late > STALL_MS) {
      st.stalls++;
      st.stalledMs += late;
      if (sched && lastSched) {
        st.stalledRanMs += (sched.ran - lastSched.ran) / 1e6;
        st.stalledWaitedMs += (sched.waited - lastSched.waited) / 1e6;
      }
    }
    last = start;
    lastSched = sched;
    round(i);
    const wait = pacing === 'paced' ? t0 + (i + 1) * PACE_MS - performance.now() : -1;
    await new Promise((resolve) => (wait >= 0 ? setTimeout(resolve, wait) : setImmediate(resolve)));
  }
  return st;
}

/**
 * Rounds that started late by more than STALL_MS, the time lost in them, and what the main thread did from the
 * previous round to each (on Linux): ran (its own work: pushes, fit results, GC) or waited for a CPU.
 */
interface Stalls {
  readonly stalls: number;
  readonly stalledMs: number;
  readonly stalledRanMs: number;
  readonly stalledWaitedMs: number;
}

interface LoopRun extends Stalls {
  readonly stats: LoopStats;
  /** What receiving one fitted model costs the loop (worker-pool runs). */
  readonly received?: FitResultCost;
  readonly refits: number;
  readonly worstPush: number;
  readonly points: number;
}

/**
 * One run of the Prophet refit scenario: fit the series (not measured), then stream PROPHET_CYCLES refit cycles and
 * wait until every refit has been installed — the delay histogram covers the stream and the fits' results being
 * swapped in.
 */
async function prophetRun(threads: number, pacing: Pacing): Promise<LoopRun> {
  // Paced, the series are spread over the refit cycle (series s is s/4 of a cycle in when the window opens), as
  // series that did not all start at once are; unpaced (the stress row), they all come due together.
  const offset = (s: number) => (pacing === 'paced' ? s * Math.floor(REFIT_EVERY / PROPHET_SERIES) : 0);
  const rounds = PROPHET_WARMUP + REFIT_EVERY + PROPHET_CYCLES * REFIT_EVERY;
  const data = valuesFor(PROPHET_SERIES, rounds, 11);
  const keys = Array.from({ length: PROPHET_SERIES }, (_, s) => `svc/p${s}`);
  const pipeline = new Pipeline({
    detectors: {
      module: MODULE,
      spec: { kind: 'prophet', options: { refitEvery: REFIT_EVERY, uncertaintySamples: 100 } },
      threads,
      niceness: FIT_NICENESS,
    },
    warmup: PROPHET_WARMUP,
    history: PROPHET_WARMUP,
    maxFuture: Number.POSITIVE_INFINITY,
    rootCause: false,
  });
  for (let i = 0; i < PROPHET_WARMUP; i++)
    for (let s = 0; s < PROPHET_SERIES; s++) pipeline.push(keys[s], T0 + i * STEP, data[s][i]);
  await pipeline.idle();
  for (let s = 0; s < PROPHET_SERIES; s++)
    for (let i = PROPHET_WARMUP; i < PROPHET_WARMUP + offset(s); i++)
      pipeline.push(keys[s], T0 + i * STEP, data[s][i]);
  const received = threads > 0 ? fitResultCost(pipeline.snapshotSeries(keys[0])?.detector) : undefined;
  heapBytes(); // start from a collected heap: a major GC of the warm-up's garbage is not a refit's doing
  const fitsBefore = pipeline.stats.fits;
  let worstPush = 0;
  const probe = LoopProbe.start();
  const stalls = await stream(PROPHET_CYCLES * REFIT_EVERY, pacing, (r) => {
    for (let s = 0; s < PROPHET_SERIES; s++) {
      const i = PROPHET_WARMUP + offset(s) + r;
      const p0 = performance.now();
      pipeline.push(keys[s], T0 + i * STEP, data[s][i]);
      worstPush = Math.max(worstPush, performance.now() - p0);
    }
  });
  await pipeline.idle();
  const stats = probe.stop();
  await pipeline.close();
  return {
    stats,
    ...stalls,
    received,
    refits: pipeline.stats.fits - fitsBefore,
    worstPush,
    points: PROPHET_SERIES * PROPHET_CYCLES * REFIT_EVERY,
  };
}

interface FitResultCost {
  readonly bytes: number;
  readonly cloneMs: number;
  readonly restoreMs: number;
}

/**
 * What a fitted model costs the event loop when it comes back from the pool, apart from the replay: the snapshot
 * message's deserialisation (timed as a structured clone of it, which serialises too: an upper bound) and its restore
 * (`loadDetector`); mean of 20.
 */
function fitResultCost(snapshot: DetectorSnapshot | null | undefined): FitResultCost | undefined {
  if (!snapshot) return undefined;
  const reps = 20;
  const t0 = performance.now();
  for (let k = 0; k < reps; k++) structuredClone(snapshot);
  const t1 = performance.now();
  for (let k = 0; k < reps; k++) loadDetector(snapshot);
  const t2 = performance.now();
  return {
    bytes: serialize(snapshot).length,
    cloneMs: (t1 - t0) / reps,
    restoreMs: (t2 - t1) / reps,
  };
}

/**
 * The peer of the loop-delay rows: the same rounds, paced the same way, with no Pipeline — about as much work per
 * round as its pushes — the delay the machine itself adds (a shared machine preempts the thread; nothing a
 * Pipeline can remove).
 */
async function baselineRun(pacing: Pacing): Promise<LoopRun> {
  heapBytes();
  let sink = 0;
  const probe = LoopProbe.start();
  const stalls = await stream(PROPHET_CYCLES * REFIT_EVERY, pacing, (i) => {
    for (let k = 0; k < 400; k++) sink += Math.sqrt(i + k);
  });
  const stats = probe.stop();
  if (sink < 0) console.log(sink);
  return { stats, ...stalls, refits: 0, worstPush: 0, points: 0 };
}

const median = (xs: number[]) => {
  const a = [...xs].sort((x, y) => x - y);
  return a.length % 2 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
};
const fixed = (x: number, d = 2) => Number(x.toFixed(d));

/** One row from the runs of a loop-delay scenario: medians over the runs, each run's p99, the worst of each max. */
function loopRow(scenario: string, runs: LoopRun[], extra: Row, target: string, met: boolean | null): Row {
  const st = runs.map((r) => r.stats);
  const col = (f: (s: LoopStats) => number | undefined) =>
    st.every((s) => f(s) !== undefined) ? fixed(median(st.map((s) => f(s) as number))) : null;
  const loads = st.flatMap((s) => [s.loadStart, s.loadEnd]);
  return {
    scenario,
    ...extra,
    runs: runs.length,
    'seconds per run': col((s) => s.seconds),
    'delay samples per run': col((s) => s.samples),
    'loop delay p50 ms': col((s) => s.p50Ms),
    'loop delay p99 ms (median of runs)': col((s) => s.p99Ms),
    'loop delay p99 ms per run': st.map((s) => s.p99Ms.toFixed(2)).join(' '),
    'loop delay max ms (worst run)': Math.max(...st.map((s) => s.maxMs)),
    [`stalls > ${STALL_MS} ms per run`]: fixed(median(runs.map((r) => r.stalls)), 1),
    'time stalled per run ms': fixed(median(runs.map((r) => r.stalledMs)), 1),
    'of it, main thread running ms': fixed(median(runs.map((r) => r.stalledRanMs)), 1),
    'of it, main thread waiting for a CPU ms': fixed(median(runs.map((r) => r.stalledWaitedMs)), 1),
    ...(runs[0].points > 0 ? { 'slowest push ms': fixed(Math.max(...runs.map((r) => r.worstPush))) } : {}),
    ...(runs[0].received
      ? {
          'fit result bytes': (runs[0].received as FitResultCost).bytes,
          'fit result clone ms': fixed(median(runs.map((r) => r.received?.cloneMs ?? 0)), 3),
          'fit result restore ms': fixed(median(runs.map((r) => r.received?.restoreMs ?? 0)), 3),
        }
      : {}),
    'gc pauses per run': col((s) => s.gcCount),
    'longest gc pause ms': Math.max(...st.map((s) => s.gcMaxMs)),
    'main thread on a CPU ms': col((s) => s.ranMs),
    'main thread waiting for a CPU ms': col((s) => s.waitedMs),
    'process CPU ms (all threads)': col((s) => s.processCpuMs),
    'load average (1 min) during runs': `${Math.min(...loads).toFixed(2)}-${Math.max(...loads).toFixed(2)}`,
    target,
    met,
  };
}

/**
 * p99 event-loop delay while Prophet refits run, fits in the worker pool against fits on the event loop
 * (`threads: 0`, what the Pipeline did before) and against the same paced loop with no Pipeline. Paced: points
 * arrive over time (a day of 5-minute points, 288 per series, every 0.58 s: still about 150 000 times real time) and
 * the series' refits are spread over the cycle, so that a refit lands before the model it replaces has streamed past
 * its forecast table (1.25 · refitEvery steps, made at fit) — with all four due at once, the last of them queued on
 * the one fit thread came back after its model had left the table, and those points cost a forecast each on the
 * loop. Unpaced ("burst"): the stream outruns the fit worker, the old models stream past their tables and each point
 * then costs a Prophet forecast with its simulated uncertainty on the event loop — a stress row, not the target's
 * measure.
 */
async function eventLoop(): Promise<void> {
  const wanted = [
    'event-loop-baseline',
    'prophet-refits-worker-pool',
    'prophet-refits-event-loop',
    'prophet-refits-burst',
  ].filter((sc) => !only || only.includes(sc));
  if (wanted.length === 0) return;
  const runs: Record<string, LoopRun[]> = Object.fromEntries(wanted.map((sc) => [sc, []]));
  for (let k = 0; k < LOOP_RUNS; k++) {
    console.log(`event-loop rows: run ${k + 1}/${LOOP_RUNS} of ${wanted.join(', ')} …`);
    for (const sc of wanted) {
      const run =
        sc === 'event-loop-baseline'
          ? await baselineRun('paced')
          : await prophetRun(
              sc === 'prophet-refits-event-loop' ? 0 : 1,
              sc === 'prophet-refits-burst' ? 'unpaced' : 'paced',
            );
      runs[sc].push(run);
      console.log(
        `  ${sc}: p99 ${run.stats.p99Ms} ms, max ${run.stats.maxMs} ms, ${run.stalls} stalls (${run.stalledMs.toFixed(0)} ms: ran ${run.stalledRanMs.toFixed(0)}, waited ${run.stalledWaitedMs.toFixed(0)}), main thread ran ${run.stats.ranMs} ms and waited ${run.stats.waitedMs} ms for a CPU, load ${run.stats.loadStart}`,
      );
    }
  }
  const prophet = (sc: string, threads: number, pacing: Pacing): Row => ({
    detector: 'prophet',
    series: PROPHET_SERIES,
    'fits in': threads > 0 ? `worker pool (${threads} thread, nice ${FIT_NICENESS})` : 'event loop',
    pacing: pacingText(pacing, PROPHET_SERIES),
    'refits per run': fixed(median(runs[sc].map((r) => r.refits)), 0),
    'points per run': runs[sc][0].points,
  });
  const p99 = (sc: string) => median(runs[sc].map((r) => r.stats.p99Ms));
  for (const sc of wanted) {
    if (sc === 'event-loop-baseline')
      report(
        loopRow(
          sc,
          runs[sc],
          { detector: '-', 'fits in': 'no pipeline', pacing: pacingText('paced', PROPHET_SERIES) },
          'peer (the machine)',
          null,
        ),
      );
    else if (sc === 'prophet-refits-worker-pool')
      report(loopRow(sc, runs[sc], prophet(sc, 1, 'paced'), 'p99 < 5 ms (median of runs)', p99(sc) < 5));
    else if (sc === 'prophet-refits-event-loop')
      report(loopRow(sc, runs[sc], prophet(sc, 0, 'paced'), 'peer (before)', null));
    else
      report(loopRow(sc, runs[sc], prophet(sc, 1, 'unpaced'), 'stress (the stream outruns the fits)', null));
  }
}

/**
 * What one streamed Prophet point costs on the event loop: on the forecast table the fit worker made (the steps up to
 * 1.25 · refitEvery after the fit), and past it — where a refit came late and each point needs the single-point
 * forecast with its simulated band — at 100 and at the default 1 000 uncertainty samples.
 */
async function prophetUpdateCost(scenario: string): Promise<void> {
  if (only && !only.includes(scenario)) return;
  console.log(`${scenario}: one Prophet point on and past the forecast table …`);
  const n = PROPHET_WARMUP;
  const horizon = Math.ceil(1.25 * REFIT_EVERY);
  const past = 300;
  const [values] = valuesFor(1, n + horizon + past, 11);
  const t = (i: number) => T0 + i * STEP;
  const row: Row = { scenario, detector: 'prophet', 'fitted on': n, refitEvery: REFIT_EVERY };
  for (const samples of [100, 1000]) {
    const d = createDetector('prophet', { refitEvery: REFIT_EVERY, uncertaintySamples: samples });
    await d.fit(
      { timestamps: Float64Array.from({ length: n }, (_, i) => t(i)), values: values.subarray(0, n) },
      { keepHistory: false, streaming: true },
    );
    let i = n;
    const t0 = performance.now();
    for (; i < n + horizon; i++) d.update(t(i), values[i]);
    const t1 = performance.now();
    for (; i < n + horizon + past; i++) d.update(t(i), values[i]);
    const t2 = performance.now();
    row[`on the table us (${samples} samples)`] = fixed(((t1 - t0) / horizon) * 1000, 1);
    row[`past it us (${samples} samples)`] = fixed(((t2 - t1) / past) * 1000, 1);
  }
  row.target = 'peer of the burst row';
  row.met = null;
  report(row);
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

await eventLoop();
await prophetUpdateCost('prophet-update-cost');
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
    'one process, one core for the event loop (fits in 1 worker thread); throughput = pushes of fitted series timed on the event loop; memory = (heapUsed + arrayBuffers) after GC, minus the history typed arrays, divided by series; loop delay = perf_hooks.monitorEventLoopDelay (1 ms resolution) from the first streamed point until every refit is installed, points pushed in rounds of one per series, a round every 2 ms (the burst row: a round per loop turn), 6 refit cycles of 288 points per run, 5 runs per scenario interleaved (median p99 and each run listed); stalls = rounds starting > 5 ms late, with what the main thread did meanwhile from /proc/self/task/<pid>/schedstat (ran vs waited for a CPU); load average = 1-minute load at the start and end of each run',
});
