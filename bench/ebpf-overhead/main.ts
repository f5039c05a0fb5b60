/**
 * What the eBPF probes cost a service, measured as the issue asks: a Node HTTP service and a @grpc/grpc-js
 * service, each under fixed-rate load from a separate process on 127.0.0.1 (autocannon; a paced grpc-js
 * client), in alternating runs of five modes — no probes, a second no-probe run (the control: its
 * difference from the first is this machine's noise, so every overhead below has its floor beside it), the
 * request tracer, the profiler at 19 Hz, all probes (tracer + profiler + TCP and process summaries +
 * run-queue latency) read every second, and all probes read every 10 s (`all-10s`: the same kernel work, a tenth
 * of the agent's wake-ups — what the agent's per-second part costs) — RUNS rounds, the order of the modes rotated
 * every round.
 *
 * One agent process serves every run of a service and switches its probes between runs, so that its
 * JavaScript stays compiled by the optimizing tier (a fresh agent's gRPC path cost ~90 µs per call 3 s after
 * start and ~17 µs after 12 s: a probe runs for days, its start-up is not its cost per request), runs with
 * --no-flush-bytecode (so that code idle through other modes' runs stays compiled) and first runs `all` for
 * VIGIL_BENCH_AGENT_WARMUP_SECONDS (default 100) unmeasured, in 5 runs with new load processes and connections,
 * until V8 has finished optimizing it. Each run starts
 * the mode's probes, sends VIGIL_BENCH_WARMUP_SECONDS (default 11) of load on fresh connections, unmeasured, then
 * measures VIGIL_BENCH_SECONDS (default 10) of load on fresh connections. A probe's first seconds are not its steady
 * state (the profiler's first snapshots resolve every stack seen so far: 70 ms at 10 s, then 7–36 ms every 10 s,
 * measured here; kallsyms is read once per agent), so the first snapshot (at 10 s) falls in the warm-up and the
 * measured window (~12–22 s) holds one, as every 10 s of a long run does. Much of what the probes cost is work per
 * second (the agent's snapshots; the scheduler and profiler programs run for every process's switches and
 * samples), so the overhead per request depends on the rate: the accounted cost is also given as a share of one core.
 *
 * Two measures of the cost, side by side:
 * - **direct**: CPU per request — the service's CPU time (every thread's /proc/PID/task/TID/schedstat, ns)
 *   plus the agent's, over the requests completed — against the no-probe run of the same round. It holds
 *   everything (cache effects, tracepoint dispatch), but on this shared 2-core VM one run's CPU per request
 *   moves by ±10–20 % with no probe at all (memory-bound work slows with the neighbours' cache use), so its
 *   median over a few rounds resolves some percent, not 2 % — the control row says how much;
 * - **accounted**: the probes' BPF programs' own run time (kernel.bpf_stats_enabled, on for the whole bench,
 *   run_time_ns of each program the mode loaded — every process's runs, not only the service's) plus the
 *   agent's CPU, per request, over the no-probe CPU per request. Precise, but it leaves out what the kernel
 *   spends dispatching to the programs (tens of ns per run) and any cache effects on the service.
 *
 * Needs root (or CAP_BPF + CAP_PERFMON); without it prints why and exits 0 without a result.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createRng } from '@vigil/core';
import { checkEnvironment } from '@vigil/ebpf-native/environment';
import { progress, type Row, writeResult } from '../lib/report.ts';
import { bpfPrograms, median, threadsCpuNs } from './cpu.ts';

const env = checkEnvironment();
if (env.problems.length > 0) {
  console.log(`bench/ebpf-overhead skipped: ${env.problems.join(' ')}`);
  process.exit(0);
}

const here = dirname(fileURLToPath(import.meta.url));
const RUNS = Number(process.env.VIGIL_BENCH_RUNS ?? 5);
const SECONDS = Number(process.env.VIGIL_BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.VIGIL_BENCH_WARMUP_SECONDS ?? 11);
/** The unmeasured first round's runs: enough to compile the agent's and the service's hot paths. */
const WARM_ROUND = { warmup: 2, seconds: 2 };
/**
 * The unmeasured first round runs `all` this long (VIGIL_BENCH_AGENT_WARMUP_SECONDS): an agent keeps compiling
 * its per-second code with V8's optimizing tier for its first minute or two (~10 compilations of 2–34 ms each
 * per 30 s at 30–90 s, ~1 per 30 s after 90 s, traced with --trace-opt), a one-off cost of starting it.
 */
const AGENT_WARMUP_SECONDS = Number(process.env.VIGIL_BENCH_AGENT_WARMUP_SECONDS ?? 100);
/**
 * ...in this many runs, each restarting the probes and sending its load from new processes on new connections, as
 * the measured runs do. One long run was not enough: the first measured runs then took code paths the agent had
 * not taken yet (a process that exits, a probe started again), V8 dropped a snapshot's optimized code for them
 * ("insufficient type feedback") and compiled it again (24 ms on a background thread, traced with --trace-opt and
 * --trace-deopt), which made the first rounds' `all` runs cost the agent twice what the later ones did.
 */
const AGENT_WARMUP_RUNS = 5;
const ALL_MODES = ['none', 'control', 'tracer', 'profiler', 'all', 'all-10s'] as const;
type Mode = (typeof ALL_MODES)[number];
/** VIGIL_BENCH_MODES=none,all measures only those, while iterating ('none' is always measured: the baseline). */
const MODES = ALL_MODES.filter(
  (m) => m === 'none' || (process.env.VIGIL_BENCH_MODES ?? ALL_MODES.join(',')).split(',').includes(m),
);
/** VIGIL_BENCH_SERVICES=grpc (or http) measures one service only, while iterating; the results file wants both. */
const SERVICES = (
  [
    { kind: 'http', rate: 1500 },
    { kind: 'grpc', rate: 300 },
  ] as const
).filter(({ kind }) => (process.env.VIGIL_BENCH_SERVICES ?? 'http,grpc').split(',').includes(kind));

/** A TypeScript child as one process (not a tsx wrapper), so its pid is the one whose CPU we read. */
function child(script: string, args: string[], node: string[] = []): ChildProcess {
  return spawn(process.execPath, [...node, '--import', 'tsx', join(here, script), ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
}

/** The lines a child prints, one at a time, none lost between reads. */
function lineReader(c: ChildProcess): () => Promise<string> {
  const ready: string[] = [];
  const waiting: Array<{ resolve: (line: string) => void; reject: (e: Error) => void }> = [];
  createInterface({ input: c.stdout! }).on('line', (line) => {
    const w = waiting.shift();
    if (w) w.resolve(line);
    else ready.push(line);
  });
  c.once('exit', (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`child exited with ${code} before printing`));
  });
  return () => {
    const line = ready.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (c.exitCode !== null) return Promise.reject(new Error(`child exited with ${c.exitCode}`));
    return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
  };
}

/** Runs a child to its first line (the load generator's JSON result). */
async function once(script: string, args: string[]): Promise<string> {
  const c = child(script, args);
  const line = await lineReader(c)();
  return line;
}

/** CPU time of every thread of `pid`, in ms. */
const cpuMs = (pid: number): number => threadsCpuNs(pid) / 1e6;

type Programs = ReturnType<typeof bpfPrograms>;

/** Run time and runs of the programs `ids` between two listings, in total and per program name. */
function programTime(ids: number[], from: Programs, to: Programs) {
  const programs: Record<string, { ns: number; runs: number }> = {};
  let ns = 0;
  let runs = 0;
  for (const id of ids) {
    const a = from.get(id);
    const b = to.get(id);
    if (!a || !b) continue;
    const p = (programs[b.name] ??= { ns: 0, runs: 0 });
    p.ns += b.ns - a.ns;
    p.runs += b.runs - a.runs;
    ns += b.ns - a.ns;
    runs += b.runs - a.runs;
  }
  return { ns, runs, programs };
}

interface Load {
  requests: number;
  errors: number;
  throughput: number;
  p50: number;
  p99: number;
}

interface Run extends Load {
  service: string;
  mode: Mode;
  round: number;
  /** The machine's 1-minute load average when the run started (2 cores, shared). */
  loadAverage1m: number;
  serviceCpuMs: number;
  agentCpuMs: number;
  cpuUsPerRequest: number;
  /** The mode's BPF programs' run time in the measured window (every process's runs), ns, and their runs. */
  bpfNs: number;
  bpfRuns: number;
  /** The same per program name. */
  programs: Record<string, { ns: number; runs: number }>;
  /** Length of the measured window, s. */
  seconds: number;
  requestsSeen: number;
  profileSamples: number;
  lostSync: number;
  kernelDrops: number;
}

interface Agent {
  process: ChildProcess;
  say(command: string): Promise<string>;
}

function startAgent(port: number): Agent {
  // --no-flush-bytecode: V8 would otherwise drop the bytecode (and with it the optimized code) of functions not
  // run for a while, so the code of a mode's probes, idle through the other modes' runs, would be compiled again
  // in every round — a cost an agent that keeps its probes on never pays.
  const c = spawn(process.execPath, ['--no-flush-bytecode', join(here, 'agent.mjs'), String(port)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const next = lineReader(c);
  const first = next();
  let queue = first.then((line) => {
    if (line !== 'ready') throw new Error(`agent said ${line}`);
    return line;
  });
  return {
    process: c,
    say(command: string) {
      queue = queue.then(() => {
        c.stdin!.write(`${command}\n`);
        return next();
      });
      return queue;
    },
  };
}

async function measure(
  kind: string,
  rate: number,
  port: number,
  servicePid: number,
  agent: Agent,
  mode: Mode,
  round: number,
  { warmup, seconds } = { warmup: WARMUP_SECONDS, seconds: SECONDS },
): Promise<Run> {
  const before = new Set(bpfPrograms().keys());
  const ready = await agent.say(`mode ${mode}`);
  if (ready !== 'ready') throw new Error(`agent said ${ready}`);
  const ids = [...bpfPrograms().keys()].filter((id) => !before.has(id));
  // Fresh connections for the warm-up and again for the measured load: the tracer follows a connection
  // from its first bytes, as it does for every connection made after it started.
  await once('load.ts', [kind, String(port), String(rate), String(warmup)]);
  const measuring = await agent.say('measure');
  if (measuring !== 'measuring') throw new Error(`agent said ${measuring}`);
  const load1 = loadavg()[0];
  const b0 = bpfPrograms();
  const s0 = cpuMs(servicePid);
  const a0 = cpuMs(agent.process.pid!);
  const result = JSON.parse(
    await once('load.ts', [kind, String(port), String(rate), String(seconds)]),
  ) as Load;
  const serviceCpuMs = cpuMs(servicePid) - s0;
  const agentCpuMs = cpuMs(agent.process.pid!) - a0;
  const { ns: bpfNs, runs: bpfRuns, programs } = programTime(ids, b0, bpfPrograms());
  const seen = JSON.parse(await agent.say('report')) as {
    requestsSeen: number;
    profileSamples: number;
    lostSync: number;
    kernelDrops: number;
  };
  return {
    service: kind,
    mode,
    round,
    loadAverage1m: load1,
    ...result,
    serviceCpuMs,
    agentCpuMs,
    cpuUsPerRequest: ((serviceCpuMs + agentCpuMs) * 1000) / result.requests,
    bpfNs,
    bpfRuns,
    programs,
    seconds,
    ...seen,
  };
}

const pct = (x: number, base: number) => ((x - base) / base) * 100;

/** A 95 % interval of the median of `xs`: percentile bootstrap, 2 000 resamples, seeded. */
function medianInterval(xs: number[]): [number, number] {
  const rng = createRng(14);
  const medians = Array.from({ length: 2000 }, () =>
    median(Array.from({ length: xs.length }, () => xs[rng.int(xs.length)])),
  ).sort((a, b) => a - b);
  return [medians[Math.floor(0.025 * medians.length)], medians[Math.ceil(0.975 * medians.length) - 1]];
}

/** VIGIL_BENCH_RESUMMARIZE=1 recomputes the table from the runs of the last results file, measuring nothing. */
const resummarize = process.env.VIGIL_BENCH_RESUMMARIZE === '1';
const runs: Run[] = resummarize
  ? (JSON.parse(readFileSync(join(here, '..', 'results', 'ebpf-overhead.json'), 'utf8')).runs as Run[])
  : [];

const statsWas = resummarize ? '' : readFileSync('/proc/sys/kernel/bpf_stats_enabled', 'utf8').trim();
const children = new Set<ChildProcess>();
function stop(): void {
  for (const c of children) c.kill();
  if (statsWas !== '') spawnSync('sysctl', ['-q', `kernel.bpf_stats_enabled=${statsWas}`]);
}
process.once('SIGINT', () => {
  console.log('\nstopped: no results written');
  stop();
  process.exit(130);
});
if (!resummarize) spawnSync('sysctl', ['-q', 'kernel.bpf_stats_enabled=1']);
try {
  for (const { kind, rate } of resummarize ? [] : SERVICES) {
    const service = child('services.ts', [kind]);
    children.add(service);
    const { port } = JSON.parse(await lineReader(service)()) as { port: number };
    const agent = startAgent(port);
    children.add(agent.process);
    progress(
      `${kind} service pid ${service.pid} on :${port}, ${rate} req/s, runs of ${WARMUP_SECONDS} s warm-up + ${SECONDS} s measured, ${RUNS} rounds of ${MODES.join(', ')}`,
    );
    // A first round unmeasured: JIT tiers of service and agent, GC heap sizing, the probe objects in the page cache.
    // `all` holds every probe's code, and runs long enough for the agent's compilation to settle.
    for (const mode of MODES) {
      for (let i = 0; i < (mode === 'all' ? AGENT_WARMUP_RUNS : 1); i++) {
        await measure(kind, rate, port, service.pid!, agent, mode, -1, {
          ...WARM_ROUND,
          warmup: mode === 'all' ? AGENT_WARMUP_SECONDS / AGENT_WARMUP_RUNS : WARM_ROUND.warmup,
        });
      }
    }
    for (let round = 0; round < RUNS; round++) {
      for (let i = 0; i < MODES.length; i++) {
        const mode = MODES[(i + round) % MODES.length];
        const run = await measure(kind, rate, port, service.pid!, agent, mode, round);
        runs.push(run);
        progress(
          `${kind} round ${round + 1}/${RUNS} ${mode.padEnd(8)} ${run.throughput.toFixed(0)} req/s, p99 ${run.p99.toFixed(2)} ms, ${run.cpuUsPerRequest.toFixed(1)} µs CPU/req (agent ${run.agentCpuMs.toFixed(0)} ms, BPF ${(run.bpfNs / 1e3 / run.requests).toFixed(2)} µs/req), tracer saw ${run.requestsSeen}`,
        );
      }
    }
    agent.process.stdin!.end();
    service.stdin!.end();
    children.delete(agent.process);
    children.delete(service);
  }
} finally {
  stop();
}

const rows: Row[] = [];
const breakdown: Array<Record<string, unknown>> = [];
for (const { kind, rate } of SERVICES) {
  const base = runs.filter((r) => r.service === kind && r.mode === 'none').sort((a, b) => a.round - b.round);
  if (base.length === 0) continue;
  const baseCpu = median(base.map((r) => r.cpuUsPerRequest));
  for (const mode of MODES) {
    const own = runs.filter((r) => r.service === kind && r.mode === mode).sort((a, b) => a.round - b.round);
    const cpuOver = own.map((r, i) => pct(r.cpuUsPerRequest, base[i].cpuUsPerRequest));
    const p99Over = own.map((r, i) => pct(r.p99, base[i].p99));
    const [lo, hi] = mode === 'none' ? [null, null] : medianInterval(cpuOver);
    const bpfUs = median(own.map((r) => (r.bpfNs ?? 0) / 1e3 / r.requests));
    const agentUs = median(own.map((r) => (r.agentCpuMs * 1000) / r.requests));
    rows.push({
      service: kind,
      mode,
      rateTarget: rate,
      throughput: median(own.map((r) => r.throughput)),
      p50Ms: median(own.map((r) => r.p50)),
      p99Ms: median(own.map((r) => r.p99)),
      cpuUsPerReq: median(own.map((r) => r.cpuUsPerRequest)),
      serviceCpuUsPerReq: median(own.map((r) => (r.serviceCpuMs * 1000) / r.requests)),
      agentCpuUsPerReq: agentUs,
      bpfUsPerReq: bpfUs,
      bpfRunsPerReq: median(own.map((r) => (r.bpfRuns ?? 0) / r.requests)),
      accountedOverheadPct: mode === 'none' ? null : ((bpfUs + agentUs) / baseCpu) * 100,
      accountedCorePct: median(own.map((r) => (r.bpfNs / 1e6 + r.agentCpuMs) / (r.seconds ?? SECONDS) / 10)),
      cpuOverheadPctMin: mode === 'none' ? null : Math.min(...cpuOver),
      cpuOverheadPctMedian: mode === 'none' ? null : median(cpuOver),
      cpuOverheadPctMax: mode === 'none' ? null : Math.max(...cpuOver),
      cpuOverheadPctMedianCi95Low: lo,
      cpuOverheadPctMedianCi95High: hi,
      serviceCpuOverheadPctMedian:
        mode === 'none'
          ? null
          : median(
              own.map((r, i) => pct(r.serviceCpuMs / r.requests, base[i].serviceCpuMs / base[i].requests)),
            ),
      p99OverheadPctMedian: mode === 'none' ? null : median(p99Over),
      tracerSawPct:
        mode === 'tracer' || mode === 'all' || mode === 'all-10s'
          ? median(own.map((r) => (100 * r.requestsSeen) / r.requests))
          : null,
    });
    const names = [...new Set(own.flatMap((r) => Object.keys(r.programs ?? {})))].sort();
    if (names.length > 0) {
      breakdown.push({
        service: kind,
        mode,
        programs: Object.fromEntries(
          names.map((name) => {
            const per = own.map((r) => r.programs?.[name] ?? { ns: 0, runs: 0 });
            return [
              name,
              {
                runsPerRequest: median(per.map((p, i) => p.runs / own[i].requests)),
                nsPerRun: median(per.map((p) => p.ns / Math.max(1, p.runs))),
                usPerRequest: median(per.map((p, i) => p.ns / 1e3 / own[i].requests)),
              },
            ];
          }),
        ),
      });
    }
  }
}

writeResult('ebpf-overhead', rows, {
  config: {
    rounds: RUNS,
    secondsPerRun: SECONDS,
    warmupSecondsPerRun: WARMUP_SECONDS,
    agentWarmupSeconds: AGENT_WARMUP_SECONDS,
    services: SERVICES,
    modes: MODES,
  },
  loadAverage1m: {
    min: Math.min(...runs.map((r) => r.loadAverage1m ?? Number.NaN)),
    median: median(runs.map((r) => r.loadAverage1m ?? Number.NaN)),
    max: Math.max(...runs.map((r) => r.loadAverage1m ?? Number.NaN)),
  },
  breakdown,
  method: `${RUNS} rounds of alternating runs, mode order rotated per round, one agent per service (node --no-flush-bytecode) switching probes between runs, warmed by ${AGENT_WARMUP_SECONDS} s of all probes in ${AGENT_WARMUP_RUNS} runs (new load processes and connections each) before the first round; each run ${WARMUP_SECONDS} s of unmeasured warm-up load then ${SECONDS} s measured, each on fresh connections; direct: CPU (service + agent, all threads, /proc/PID/task/*/schedstat) per request vs the no-probe run of the same round, median over rounds with a 95 % bootstrap interval, and a second no-probe run (control) for the noise floor; accounted: the mode's BPF programs' run time (kernel.bpf_stats_enabled=1 throughout, every process's runs) plus the agent's CPU, per request, over the no-probe CPU per request, and as a share of one core (accountedCorePct)`,
  published: {
    beyla:
      'Grafana Beyla docs, "Performance overhead": 0.5% CPU, 75 MB, instrumenting the OpenTelemetry demo at about 75 requests/s',
    pixie:
      'Pixie docs, "How Pixie works": less than 5% CPU overhead and latency degradation, about 2% in steady state',
    parca: 'Parca Agent README: "very low overhead" sampling stacks at 19 Hz; no percentage published',
  },
  runs,
});
