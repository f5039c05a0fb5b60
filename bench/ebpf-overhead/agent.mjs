/**
 * The observer, run as its own process so its CPU is measured apart from the service's, and kept for every run
 * of a service so that its JavaScript stays compiled by the optimizing tier between runs (a probe runs for days;
 * the one-off start-up of a fresh process is not its cost per request). Commands, one per stdin line:
 *
 * - `mode NAME` — closes the probes of the last mode and starts NAME's, then prints `ready`;
 * - `measure` — the measured load starts now (what came before, the warm-up, is not counted): prints `measuring`;
 * - `report` — prints what the probes saw since `measure`, as one JSON line.
 *
 * Plain JavaScript, run by node without a TypeScript loader: tsx keeps a process busy for its first seconds and
 * then costs ~0.3 ms of CPU per second even when idle (measured here), which would be counted as the probes' cost.
 *
 * The agent exits when stdin closes. Modes: `none` and `control` (no probes: the control is a second
 * no-probe run, whose difference from `none` is the measurement's own noise), `tracer` (traceHttp on the
 * service's port), `profiler` (sampleStacks at 19 Hz), `all` (tracer + profiler + TCP and process summaries +
 * run-queue latency, read every second), `all-10s` (the same, read every 10 s).
 */
import { createInterface } from 'node:readline';

const port = Number(process.argv[2]);
const ebpf = await import('@vigil/ebpf-native');

/**
 * The probes of one mode.
 * @typedef {object} Started
 * @property {() => void} close
 * @property {() => number} [counted] calls counted since start (tracer modes)
 * @property {() => { lostSync: number, kernelDrops: number }} [tracerStats]
 * @property {() => number} [samples] samples since start (profiler modes); the first call also parses kallsyms
 */

/**
 * @param {string} mode
 * @returns {Started}
 */
function start(mode) {
  /** @type {Array<() => void>} */
  const closers = [];
  /** @type {Started} */
  const started = {
    close() {
      for (const close of closers) close();
    },
  };
  // `all-10s`: everything on, read every 10 s instead of every second (a metrics export interval, not a
  // dashboard's): the kernel does the same work, the agent wakes a tenth as often.
  const all = mode === 'all' || mode === 'all-10s';
  const intervalMs = mode === 'all-10s' ? 10_000 : 1000;
  if (mode === 'tracer' || all) {
    const tracer = ebpf.traceHttp({ ports: [port], side: 'server', intervalMs });
    // HTTP/1.x requests and gRPC calls are counted in the kernel (only new paths, new header blocks and the
    // calls they belong to arrive as events, and are counted in user space): requestCounts() has them all.
    tracer.onEvents(() => tracer.read()); // consume, as an exporter would
    started.counted = () => tracer.requestCounts().reduce((a, c) => a + c.count, 0);
    started.tracerStats = () => ({
      lostSync: tracer.parserStats().lostSync,
      kernelDrops: tracer.stats().kernelDrops,
    });
    closers.push(() => tracer.close());
  }
  if (mode === 'profiler' || all) {
    const profiler = ebpf.sampleStacks({ frequency: 19, intervalMs: 10_000 });
    started.samples = () => profiler.read().total;
    closers.push(() => profiler.close());
  }
  if (all) {
    // TCP and process counters in their summary mode (counted in the kernel, read every second), as the
    // Vigil series need them; watchTcp/watchProcesses would deliver every event of the shared machine.
    const tcp = ebpf.summarizeTcp({ intervalMs });
    const processes = ebpf.summarizeProcesses({ intervalMs });
    const rq = ebpf.watchRunQueueLatency({ intervalMs });
    closers.push(
      () => tcp.close(),
      () => processes.close(),
      () => rq.close(),
    );
  }
  if (mode !== 'none' && mode !== 'control' && closers.length === 0) throw new Error(`unknown mode ${mode}`);
  return started;
}

let current = start('none');
let counted0 = 0;
let samples0 = 0;
let lostSync0 = 0;
let drops0 = 0;

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const [command, arg] = line.trim().split(/\s+/);
  if (command === 'mode') {
    current.close();
    current = start(arg);
    // No forced gc() here (there was one, to collect the last mode's garbage before the next window): a forced
    // full collection makes V8 drop optimized code, so every `all` window re-optimized the agent's per-second
    // code — 5 ms/s of the agent with it, 2 ms/s without, traced with --trace-opt. A probe in production is never
    // switched off and on, nor collected by force.
    console.log('ready');
  } else if (command === 'measure') {
    counted0 = current.counted?.() ?? 0;
    // The profiler's first read parses kallsyms once (~0.4 s here); a long-running profiler has done that
    // long ago, so it happens here, before the measured load, as part of the warm-up.
    samples0 = current.samples?.() ?? 0;
    lostSync0 = current.tracerStats?.().lostSync ?? 0;
    drops0 = current.tracerStats?.().kernelDrops ?? 0;
    console.log('measuring');
  } else if (command === 'report') {
    const stats = current.tracerStats?.();
    console.log(
      JSON.stringify({
        requestsSeen: (current.counted?.() ?? 0) - counted0,
        profileSamples: (current.samples?.() ?? 0) - samples0,
        lostSync: (stats?.lostSync ?? 0) - lostSync0,
        kernelDrops: (stats?.kernelDrops ?? 0) - drops0,
      }),
    );
  }
});
lines.on('close', () => {
  current.close();
  process.exit(0);
});
console.log('ready');
