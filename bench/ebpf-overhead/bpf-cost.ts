/**
 * What the request tracer's BPF programs themselves cost per request, from the kernel's own accounting
 * (kernel.bpf_stats_enabled: run count and run time of every program), which is far less noisy on a shared
 * machine than CPU time read from /proc. The HTTP service (node:http, 1500 req/s) and the gRPC service
 * (@grpc/grpc-js unary Greeter, 300 calls/s) of `main.ts` run under the same fixed-rate load (`services.ts`,
 * `load.ts`), traced by the same agent (`agent.mjs`, mode `tracer`: traceHttp on the service port, side server);
 * after a warm-up, WINDOWS measured windows each turn the statistics on, run the load, and read them.
 * Per program and in total: runs per request, ns per run, ns per request — the median over the windows — and
 * the agent process's CPU µs per request (its user-space parsing), from /proc/PID/task/.../schedstat.
 *
 * Run: `npx tsx bench/ebpf-overhead/bpf-cost.ts [--write]` as root (`--write` replaces
 * `bench/results/ebpf-bpf-cost.json`). VIGIL_BENCH_WINDOWS (default 5), VIGIL_BENCH_SECONDS (5),
 * VIGIL_BENCH_WARMUP_SECONDS (10), VIGIL_BENCH_SERVICES (http,grpc); VIGIL_BENCH_BASELINE_OBJECT (a compiled http.bpf.o
 * of earlier programs, traced alongside on the same transfers: the `baseline` rows) and VIGIL_BENCH_BASELINE_SOURCE
 * (what it was built from). VIGIL_BENCH_FLOOR=1 instead traces alongside http.bpf.c built with VIGIL_HTTP_FLOOR (the
 * least an exact HTTP/1.x tracer does per transfer, see buildFloor) and writes `ebpf-bpf-floor.json`; set
 * VIGIL_BENCH_SERVICES=http with it (the floor parses no HTTP/2). Without root it says why and exits 0.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { checkEnvironment } from '@vigil/ebpf-native/environment';
import { progress, type Row, writeResult } from '../lib/report.ts';
import { bpfPrograms, median, threadsCpuNs } from './cpu.ts';

const env = checkEnvironment();
if (env.problems.length > 0) {
  console.log(`bench/ebpf-overhead/bpf-cost skipped: ${env.problems.join(' ')}`);
  process.exit(0);
}

const here = dirname(fileURLToPath(import.meta.url));
const WINDOWS = Number(process.env.VIGIL_BENCH_WINDOWS ?? 5);
const SECONDS = Number(process.env.VIGIL_BENCH_SECONDS ?? 5);
const WARMUP_SECONDS = Number(process.env.VIGIL_BENCH_WARMUP_SECONDS ?? 10);
/** Seconds of each window's idle part, before its load: the programs' runs for others' transfers. */
const IDLE_SECONDS = 2;
const SERVICES = (
  [
    { kind: 'http', rate: 1500 },
    { kind: 'grpc', rate: 300 },
  ] as const
).filter(({ kind }) => (process.env.VIGIL_BENCH_SERVICES ?? 'http,grpc').split(',').includes(kind));
/**
 * A compiled http.bpf.o of an earlier version of the programs (e.g. built from `git show REV:…/http.bpf.c`):
 * traced alongside the current ones, on the same transfers in the same windows, as the `baseline` rows.
 */
const FLOOR = process.env.VIGIL_BENCH_FLOOR === '1';
const BASELINE = FLOOR ? buildFloor() : process.env.VIGIL_BENCH_BASELINE_OBJECT;
/** The label of the programs traced alongside the current ones. */
const OTHER = FLOOR ? 'floor' : 'baseline';
/**
 * http.bpf.c built with VIGIL_HTTP_FLOOR: the least any tracer that counts every HTTP/1.x request exactly must
 * do per transfer (the syscall's buffer, the time, the first bytes, a request's start queued or a response's
 * duration counted by status), on the same hooks and connection tracking. Its cost per request is the floor
 * of this design on this machine, whatever the parsing costs.
 */
function buildFloor(): string {
  const native = join(here, '..', '..', 'packages', 'ebpf-native');
  const out = join(mkdtempSync(join(tmpdir(), 'vigil-floor-')), 'http-floor.bpf.o');
  const arch = process.arch === 'arm64' ? 'arm64' : 'x86';
  const flags = [
    '-g',
    '-O2',
    '-target',
    'bpf',
    `-D__TARGET_ARCH_${arch}`,
    '-DVIGIL_HTTP_FLOOR',
    '-Wno-unused-function',
  ];
  const paths = [
    '-I',
    join(native, 'build'),
    '-I',
    join(native, 'bpf'),
    '-c',
    join(native, 'bpf', 'http.bpf.c'),
  ];
  const cc = spawnSync('clang', [...flags, ...paths, '-o', out], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`clang could not build the floor object: ${cc.stderr}`);
  return out;
}
/** The tracer's programs (bpf/http.bpf.c). */
const PROGRAMS = ['http_sock_state', 'http_sock_recv', 'http_sock_send'] as const;

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

/** CPU time of every thread of `pid`, in µs. */
const cpuUs = (pid: number): number => threadsCpuNs(pid) / 1e3;

function statsEnabled(): boolean {
  return readFileSync('/proc/sys/kernel/bpf_stats_enabled', 'utf8').trim() === '1';
}

interface ProgramTotals {
  ns: number;
  runs: number;
}

/** Ids of the BPF programs process `pid` holds (prog and link fds name them in /proc/PID/fdinfo). */
function programIds(pid: number): Set<number> {
  const ids = new Set<number>();
  for (const fd of readdirSync(`/proc/${pid}/fdinfo`)) {
    try {
      const m = /^prog_id:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
      if (m) ids.add(Number(m[1]));
    } catch {
      // the fd was closed between the listing and the read
    }
  }
  return ids;
}

/**
 * Run time and run count of the tracer's programs loaded by process `owner`, summed by name: only its own
 * (by id), not those of other tracers on the same machine, which see the same transfers.
 */
function programTotals(owner: number): Map<string, ProgramTotals> {
  const ids = programIds(owner);
  const out = new Map<string, ProgramTotals>(PROGRAMS.map((n) => [n, { ns: 0, runs: 0 }]));
  for (const [id, p] of bpfPrograms()) {
    const own = out.get(p.name);
    if (!own || !ids.has(id)) continue;
    own.ns += p.ns;
    own.runs += p.runs;
  }
  return out;
}

interface Window {
  requests: number;
  /** The same programs with the service idle, just before (others' socket transfers on the shared machine), per second. */
  idleRunsPerSecond: number;
  idleNsPerSecond: number;
  /** BPF ns per request less what the idle rate would have cost over the loaded window. */
  netNsPerRequest: number;
  programs: Record<string, { runsPerRequest: number; nsPerRun: number; nsPerRequest: number }>;
  runsPerRequest: number;
  nsPerRequest: number;
  agentCpuUsPerRequest: number;
  loadAverage1m: number;
}

/** A running agent whose programs are measured, labelled `current` or `baseline`. */
interface Tracer {
  label: string;
  agent: ChildProcess;
}

/**
 * One measured window: statistics on; an idle part, then the load; each tracer's programs read; statistics
 * off again. Tracers measured together see the same transfers in the same conditions.
 */
async function measureWindow(
  kind: string,
  port: number,
  rate: number,
  tracers: Tracer[],
): Promise<Window[] | null> {
  const loadAverage1m = loadavg()[0];
  spawnSync('sysctl', ['-q', 'kernel.bpf_stats_enabled=1']);
  try {
    const sum = (m: Map<string, ProgramTotals>) =>
      [...m.values()].reduce((a, p) => ({ ns: a.ns + p.ns, runs: a.runs + p.runs }), { ns: 0, runs: 0 });
    const idle0 = tracers.map((t) => sum(programTotals(t.agent.pid!)));
    const i0 = performance.now();
    await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
    const idle1 = tracers.map((t) => sum(programTotals(t.agent.pid!)));
    const idleSeconds = (performance.now() - i0) / 1000;
    const before = tracers.map((t) => programTotals(t.agent.pid!));
    const a0 = tracers.map((t) => cpuUs(t.agent.pid!));
    const t0 = performance.now();
    const load = child('load.ts', [kind, String(port), String(rate), String(SECONDS)]);
    const { requests } = JSON.parse(await nextLine(load)) as { requests: number };
    const loadSeconds = (performance.now() - t0) / 1000;
    const agentUs = tracers.map((t, i) => cpuUs(t.agent.pid!) - a0[i]);
    const after = tracers.map((t) => programTotals(t.agent.pid!));
    if (!statsEnabled()) {
      progress(
        `  ${kind}: bpf_stats_enabled was turned off during the window (someone else's run); window dropped`,
      );
      return null;
    }
    return tracers.map((_, i) => {
      const programs: Window['programs'] = {};
      let ns = 0;
      let runs = 0;
      for (const name of PROGRAMS) {
        const x = after[i].get(name)!;
        const y = before[i].get(name)!;
        ns += x.ns - y.ns;
        runs += x.runs - y.runs;
        programs[name] = {
          runsPerRequest: (x.runs - y.runs) / requests,
          nsPerRun: (x.ns - y.ns) / Math.max(1, x.runs - y.runs),
          nsPerRequest: (x.ns - y.ns) / requests,
        };
      }
      const idleNsPerSecond = (idle1[i].ns - idle0[i].ns) / idleSeconds;
      return {
        requests,
        idleRunsPerSecond: (idle1[i].runs - idle0[i].runs) / idleSeconds,
        idleNsPerSecond,
        netNsPerRequest: (ns - idleNsPerSecond * loadSeconds) / requests,
        programs,
        runsPerRequest: runs / requests,
        nsPerRequest: ns / requests,
        agentCpuUsPerRequest: agentUs[i] / requests,
        loadAverage1m,
      };
    });
  } finally {
    spawnSync('sysctl', ['-q', 'kernel.bpf_stats_enabled=0']);
  }
}

/** Sends the agent one command (agent.mjs) and returns the line it answers. */
async function say(agent: ChildProcess, command: string): Promise<string> {
  const answer = nextLine(agent);
  agent.stdin!.write(`${command}\n`);
  return answer;
}

/**
 * An agent (`agent.mjs`, as main.ts runs it) tracing `port`; with `object`, one whose tracer loads that compiled
 * http.bpf.o (an earlier version of the programs) instead of the package's: put in the package's place while
 * the agent starts its tracer only.
 */
async function startAgent(port: number, object?: string): Promise<ChildProcess> {
  const agent = spawn(process.execPath, [join(here, 'agent.mjs'), String(port)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  if ((await nextLine(agent)) !== 'ready') throw new Error('agent did not start');
  const live = join(here, '..', '..', 'packages', 'ebpf-native', 'build', 'bpf', 'http.bpf.o');
  const saved = `${live}.bpf-cost-saved`;
  if (object) {
    copyFileSync(live, saved);
    copyFileSync(object, live);
  }
  try {
    if ((await say(agent, 'mode tracer')) !== 'ready') throw new Error('agent did not start its tracer');
    return agent;
  } finally {
    if (object) renameSync(saved, live);
  }
}

const rows: Row[] = [];
const windows: Array<Window & { service: string; tracer: string; attachedAs: number }> = [];
const seen: Record<string, Record<string, unknown>> = {};
for (const { kind, rate } of SERVICES) {
  // With a baseline, two passes: the programs attached second run on caches the first warmed (worth a few
  // µs per gRPC call here), so each tracer goes first in one pass and second in the other.
  for (const order of BASELINE ? [0, 1] : [0]) {
    const service = child('services.ts', [kind]);
    const tracers: Tracer[] = [];
    try {
      const { port } = JSON.parse(await nextLine(service)) as { port: number };
      const labels = order === 0 ? ['current', OTHER] : [OTHER, 'current'];
      for (const label of labels) {
        if (label === OTHER && !BASELINE) continue;
        tracers.push({ label, agent: await startAgent(port, label === OTHER ? BASELINE : undefined) });
      }
      progress(
        `${kind} service pid ${service.pid} on :${port}, ${rate} req/s; agents in attach order: ${tracers.map((t) => `${t.label} ${t.agent.pid}`).join(', ')}`,
      );
      const warmup = child('load.ts', [kind, String(port), String(rate), String(WARMUP_SECONDS)]);
      await nextLine(warmup);
      for (const t of tracers) {
        if ((await say(t.agent, 'measure')) !== 'measuring') throw new Error('agent did not start measuring');
      }
      let requests = 0;
      for (let w = 0; w < WINDOWS; w++) {
        const wins = await measureWindow(kind, port, rate, tracers);
        if (!wins) continue;
        requests += wins[0].requests;
        wins.forEach((win, i) => {
          windows.push({ service: kind, tracer: tracers[i].label, attachedAs: i + 1, ...win });
          progress(
            `  ${kind} window ${w + 1}/${WINDOWS} ${tracers[i].label}: ${win.nsPerRequest.toFixed(0)} BPF ns/req (${win.netNsPerRequest.toFixed(0)} net of idle ${(win.idleNsPerSecond / 1000).toFixed(0)} µs/s in ${win.idleRunsPerSecond.toFixed(0)} runs/s), ${win.runsPerRequest.toFixed(2)} runs/req, agent ${win.agentCpuUsPerRequest.toFixed(1)} µs/req (load ${win.loadAverage1m})`,
          );
        });
      }
      for (const t of tracers) {
        seen[`${kind} ${t.label} pass ${order + 1}`] = {
          requests,
          ...JSON.parse(await say(t.agent, 'report')),
        };
        t.agent.stdin!.end();
      }
    } finally {
      for (const t of tracers) t.agent.kill();
      service.stdin!.end();
    }
  }
  const tracers = BASELINE ? [{ label: 'current' }, { label: OTHER }] : [{ label: 'current' }];
  for (const { label } of tracers) {
    const own = windows.filter((w) => w.service === kind && w.tracer === label);
    if (own.length === 0) continue;
    for (const name of PROGRAMS) {
      rows.push({
        service: kind,
        tracer: label,
        program: name,
        runsPerReq: median(own.map((w) => w.programs[name].runsPerRequest)),
        nsPerRun: median(own.map((w) => w.programs[name].nsPerRun)),
        nsPerReq: median(own.map((w) => w.programs[name].nsPerRequest)),
        netNsPerReq: null,
        agentCpuUsPerReq: null,
      });
    }
    rows.push({
      service: kind,
      tracer: label,
      program: 'total',
      runsPerReq: median(own.map((w) => w.runsPerRequest)),
      nsPerRun: median(own.map((w) => w.nsPerRequest / w.runsPerRequest)),
      nsPerReq: median(own.map((w) => w.nsPerRequest)),
      netNsPerReq: median(own.map((w) => w.netNsPerRequest)),
      agentCpuUsPerReq: median(own.map((w) => w.agentCpuUsPerRequest)),
    });
  }
}

writeResult(FLOOR ? 'ebpf-bpf-floor' : 'ebpf-bpf-cost', rows, {
  config: {
    windows: WINDOWS,
    secondsPerWindow: SECONDS,
    warmupSeconds: WARMUP_SECONDS,
    services: SERVICES,
    baselineObject: FLOOR ? 'http.bpf.c built with -DVIGIL_HTTP_FLOOR' : (BASELINE ?? null),
    /** What the baseline object was built from, as the runner says (VIGIL_BENCH_BASELINE_SOURCE). */
    baselineSource: process.env.VIGIL_BENCH_BASELINE_SOURCE ?? null,
  },
  method:
    'kernel.bpf_stats_enabled on during each measured window only; run_cnt and run_time_ns of the programs of the agent process (bpftool prog show) before and after a fixed-rate load; medians over windows. With a baseline object, both tracers run on the same transfers, in two passes (each attached first in one, second in the other: the second runs on warmer caches), and the medians are over both passes. Runs count every socket transfer of the machine (the programs see all of them and leave early for untracked sockets), so runs per request include other processes; netNsPerReq subtracts the rate measured in an idle 2 s just before each window (noisy: the traffic of others varies). Agent CPU from /proc/PID/task/*/schedstat.',
  tracerSaw: seen,
  windows,
});
