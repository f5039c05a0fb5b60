/**
 * What the eBPF probes cost a service, measured as the issue asks: a Node HTTP service and a @grpc/grpc-js
 * service, each under fixed-rate load from a separate process on 127.0.0.1 (autocannon; a paced grpc-js
 * client), in alternating runs of four modes — no probes, the request tracer, the profiler at 19 Hz, and
 * all probes (tracer + profiler + TCP and process summaries + run-queue latency) — RUNS rounds each, the order of the
 * modes rotated every round.
 *
 * Each run first sends VIGIL_BENCH_WARMUP_SECONDS (default 10) of the same load, unmeasured, so that the
 * agent's JavaScript is compiled by the optimizing tier and its start-up garbage is collected (with 1–3 s,
 * V8 was still optimizing the gRPC path inside the measured window: an agent's gRPC cost per call measured
 * ~90 µs 3 s after start and ~17 µs after 12 s) and the profiler has parsed kallsyms (a probe runs for days;
 * the one-off start-up of a fresh process is not its cost per request), then measures.
 * CPU per request is the service's CPU time (every thread's /proc/PID/task/TID/schedstat, ns) plus the
 * observing agent's (its own process, the same way), over the requests completed. A probe's in-kernel work
 * runs in the service's syscalls, so it lands in the service's CPU; parsing lands in the agent's. Overhead
 * of a mode in a round is relative to the no-probe run of the same round; min/median/max over rounds.
 *
 * Needs root (or CAP_BPF + CAP_PERFMON); without it prints why and exits 0 without a result.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { checkEnvironment } from '@vigil/ebpf-native/environment';
import { type Row, writeResult } from '../lib/report.ts';

const env = checkEnvironment();
if (env.problems.length > 0) {
  console.log(`bench/ebpf-overhead skipped: ${env.problems.join(' ')}`);
  process.exit(0);
}

const here = dirname(fileURLToPath(import.meta.url));
const RUNS = Number(process.env.VIGIL_BENCH_RUNS ?? 5);
const SECONDS = Number(process.env.VIGIL_BENCH_SECONDS ?? 5);
const WARMUP_SECONDS = Number(process.env.VIGIL_BENCH_WARMUP_SECONDS ?? 10);
const MODES = ['none', 'tracer', 'profiler', 'all'] as const;
type Mode = (typeof MODES)[number];
/** VIGIL_BENCH_SERVICES=grpc (or http) measures one service only, while iterating; the results file wants both. */
const SERVICES = (
  [
    { kind: 'http', rate: 1500 },
    { kind: 'grpc', rate: 300 },
  ] as const
).filter(({ kind }) => (process.env.VIGIL_BENCH_SERVICES ?? 'http,grpc').split(',').includes(kind));

/** A TypeScript child as one process (not a tsx wrapper), so its pid is the one whose CPU we read. */
function child(script: string, args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(here, script), ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
}

/** The next line the child prints. */
function nextLine(c: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: c.stdout! });
    lines.once('line', (line) => {
      lines.close();
      resolve(line);
    });
    c.once('exit', (code) => reject(new Error(`child exited with ${code} before printing`)));
  });
}

/** CPU time of every thread of `pid`, in ms (schedstat: ns on CPU). */
function cpuMs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return ns / 1e6;
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
  requestsSeen: number;
  profileSamples: number;
  lostSync: number;
  kernelDrops: number;
}

async function measure(
  kind: string,
  rate: number,
  port: number,
  servicePid: number,
  mode: Mode,
  round: number,
): Promise<Run> {
  const agent = child('agent.ts', [mode, String(port)]);
  const ready = await nextLine(agent);
  if (ready !== 'ready') throw new Error(`agent said ${ready}`);
  const warmup = child('load.ts', [kind, String(port), String(rate), String(WARMUP_SECONDS)]);
  await nextLine(warmup);
  agent.stdin!.write('measure\n');
  const measuring = await nextLine(agent);
  if (measuring !== 'measuring') throw new Error(`agent said ${measuring}`);
  const load1 = loadavg()[0];
  const s0 = cpuMs(servicePid);
  const a0 = cpuMs(agent.pid!);
  const load = child('load.ts', [kind, String(port), String(rate), String(SECONDS)]);
  const result = JSON.parse(await nextLine(load)) as Load;
  const serviceCpuMs = cpuMs(servicePid) - s0;
  const agentCpuMs = cpuMs(agent.pid!) - a0;
  agent.stdin!.end();
  const seen = JSON.parse(await nextLine(agent)) as {
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
    ...seen,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const pct = (x: number, base: number) => ((x - base) / base) * 100;

/** Run time of each BPF program named in `names` (kernel.bpf_stats_enabled must be on): ns and runs. */
function bpfRunTime(names: readonly string[]): Map<string, { ns: number; runs: number }> {
  const r = spawnSync('bpftool', ['-j', 'prog', 'show'], { encoding: 'utf8' });
  const out = new Map(names.map((n) => [n, { ns: 0, runs: 0 }]));
  for (const p of JSON.parse(r.stdout || '[]') as Array<{
    name: string;
    run_time_ns?: number;
    run_cnt?: number;
  }>) {
    const own = out.get(p.name);
    if (!own) continue;
    own.ns += p.run_time_ns ?? 0;
    own.runs += p.run_cnt ?? 0;
  }
  return out;
}

interface Breakdown {
  service: string;
  requests: number;
  /** The tracer's BPF program, per request: its run time (every process's syscalls, not only the service's) and runs. */
  bpfNsPerRequest: number;
  bpfRunsPerRequest: number;
  /** Of those, run time per run. */
  bpfNsPerRun: number;
  /** The same per program: runs per request and ns per run (every run of the machine, not only the service's). */
  programs: Record<string, { runsPerRequest: number; nsPerRun: number }>;
  agentCpuUsPerRequest: number;
}

/**
 * Where the tracer's cost goes, measured apart from the overhead rounds (kernel.bpf_stats_enabled adds two
 * clock reads to every program run, so it is on only here): one tracer run with the BPF programs' run time.
 */
async function breakdown(kind: string, rate: number, port: number, servicePid: number): Promise<Breakdown> {
  spawnSync('sysctl', ['-q', 'kernel.bpf_stats_enabled=1']);
  try {
    const names = ['http_sock_state', 'http_sock_recv', 'http_sock_send'];
    const before = bpfRunTime(names);
    const run = await measure(kind, rate, port, servicePid, 'tracer', -2);
    const after = bpfRunTime(names);
    let ns = 0;
    let runs = 0;
    const programs: Breakdown['programs'] = {};
    for (const name of names) {
      const a = after.get(name)!;
      const b = before.get(name)!;
      ns += a.ns - b.ns;
      runs += a.runs - b.runs;
      programs[name] = {
        runsPerRequest: (a.runs - b.runs) / run.requests,
        nsPerRun: (a.ns - b.ns) / Math.max(1, a.runs - b.runs),
      };
    }
    return {
      service: kind,
      requests: run.requests,
      bpfNsPerRequest: ns / run.requests,
      bpfRunsPerRequest: runs / run.requests,
      bpfNsPerRun: ns / Math.max(1, runs),
      programs,
      agentCpuUsPerRequest: (run.agentCpuMs * 1000) / run.requests,
    };
  } finally {
    spawnSync('sysctl', ['-q', 'kernel.bpf_stats_enabled=0']);
  }
}

const breakdowns: Breakdown[] = [];

/** VIGIL_BENCH_RESUMMARIZE=1 recomputes the table from the runs of the last results file, measuring nothing. */
const resummarize = process.env.VIGIL_BENCH_RESUMMARIZE === '1';
const runs: Run[] = resummarize
  ? (JSON.parse(readFileSync(join(here, '..', 'results', 'ebpf-overhead.json'), 'utf8')).runs as Run[])
  : [];
for (const { kind, rate } of resummarize ? [] : SERVICES) {
  const service = child('services.ts', [kind]);
  const { port } = JSON.parse(await nextLine(service)) as { port: number };
  console.log(`${kind} service pid ${service.pid} on :${port}, ${rate} req/s for ${SECONDS} s per run`);
  // Warm-up: JIT tiers, GC heap sizing, the probe objects in the page cache.
  for (const mode of MODES) await measure(kind, rate, port, service.pid!, mode, -1);
  for (let round = 0; round < RUNS; round++) {
    for (let i = 0; i < MODES.length; i++) {
      const mode = MODES[(i + round) % MODES.length];
      const run = await measure(kind, rate, port, service.pid!, mode, round);
      runs.push(run);
      console.log(
        `  ${kind} round ${round + 1}/${RUNS} ${mode.padEnd(8)} ${run.throughput.toFixed(0)} req/s, p99 ${run.p99.toFixed(2)} ms, ${run.cpuUsPerRequest.toFixed(1)} µs CPU/req (agent ${run.agentCpuMs.toFixed(0)} ms), tracer saw ${run.requestsSeen}`,
      );
    }
  }
  breakdowns.push(await breakdown(kind, rate, port, service.pid!));
  service.stdin!.end();
}

const rows: Row[] = [];
for (const { kind, rate } of SERVICES) {
  for (const mode of MODES) {
    const own = runs.filter((r) => r.service === kind && r.mode === mode).sort((a, b) => a.round - b.round);
    const base = runs
      .filter((r) => r.service === kind && r.mode === 'none')
      .sort((a, b) => a.round - b.round);
    const cpuOver = own.map((r, i) => pct(r.cpuUsPerRequest, base[i].cpuUsPerRequest));
    const p99Over = own.map((r, i) => pct(r.p99, base[i].p99));
    const row: Row = {
      service: kind,
      mode,
      rateTarget: rate,
      throughput: median(own.map((r) => r.throughput)),
      p50Ms: median(own.map((r) => r.p50)),
      p99Ms: median(own.map((r) => r.p99)),
      cpuUsPerReq: median(own.map((r) => r.cpuUsPerRequest)),
      serviceCpuUsPerReq: median(own.map((r) => (r.serviceCpuMs * 1000) / r.requests)),
      agentCpuUsPerReq: median(own.map((r) => (r.agentCpuMs * 1000) / r.requests)),
      cpuOverheadPctMin: mode === 'none' ? null : Math.min(...cpuOver),
      cpuOverheadPctMedian: mode === 'none' ? null : median(cpuOver),
      cpuOverheadPctMax: mode === 'none' ? null : Math.max(...cpuOver),
      serviceCpuOverheadPctMedian:
        mode === 'none'
          ? null
          : median(
              own.map((r, i) => pct(r.serviceCpuMs / r.requests, base[i].serviceCpuMs / base[i].requests)),
            ),
      p99OverheadPctMedian: mode === 'none' ? null : median(p99Over),
      tracerSawPct:
        mode === 'tracer' || mode === 'all'
          ? median(own.map((r) => (100 * r.requestsSeen) / r.requests))
          : null,
    };
    rows.push(row);
  }
}

writeResult('ebpf-overhead', rows, {
  config: {
    runsPerMode: RUNS,
    secondsPerRun: SECONDS,
    warmupSecondsPerRun: WARMUP_SECONDS,
    services: SERVICES,
    modes: MODES,
  },
  loadAverage1m: {
    min: Math.min(...runs.map((r) => r.loadAverage1m ?? Number.NaN)),
    median: median(runs.map((r) => r.loadAverage1m ?? Number.NaN)),
    max: Math.max(...runs.map((r) => r.loadAverage1m ?? Number.NaN)),
  },
  breakdown: breakdowns,
  method: `alternating runs, mode order rotated per round; each run after ${WARMUP_SECONDS} s of unmeasured warm-up load; overhead of a mode in a round vs the no-probe run of that round; CPU = service + agent, all threads, from /proc/PID/task/*/schedstat`,
  published: {
    beyla:
      'Grafana Beyla docs, "Performance overhead": 0.5% CPU, 75 MB, instrumenting the OpenTelemetry demo at about 75 requests/s',
    pixie:
      'Pixie docs, "How Pixie works": less than 5% CPU overhead and latency degradation, about 2% in steady state',
    parca: 'Parca Agent README: "very low overhead" sampling stacks at 19 Hz; no percentage published',
  },
  runs,
});
