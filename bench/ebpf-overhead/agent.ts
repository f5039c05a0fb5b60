/**
 * The observer, run as its own process so its CPU is measured apart from the service's: starts the probes
 * of one mode, prints `ready`; a `measure` line on stdin marks the start of the measured load (what came
 * before, the warm-up, is not counted); when stdin closes it prints what it saw (JSON) and exits.
 * Modes: `none`, `tracer` (traceHttp on the service's port), `profiler` (sampleStacks at 19 Hz),
 * `all` (tracer + profiler + TCP and process summaries + run-queue latency).
 */
const [mode, portText] = process.argv.slice(2);
const port = Number(portText);
const ebpf = await import('@vigil/ebpf-native');

const closers: Array<() => void> = [];
let profileSamples = 0;
let readProfile: (() => number) | undefined;
let tracerStats: (() => Record<string, number>) | undefined;

if (mode === 'tracer' || mode === 'all') {
  const tracer = ebpf.traceHttp({ ports: [port], side: 'server', intervalMs: 1000 });
  // HTTP/1.x requests and gRPC calls are counted in the kernel (only new paths, new header blocks and the
  // calls they belong to arrive as events, and are counted in user space): requestCounts() has them all.
  tracer.onEvents(() => tracer.read()); // consume, as an exporter would
  tracerStats = () => ({
    ...tracer.parserStats(),
    kernelDrops: tracer.stats().kernelDrops,
    counted: tracer.requestCounts().reduce((a, c) => a + c.count, 0),
  });
  closers.push(() => tracer.close());
}
if (mode === 'profiler' || mode === 'all') {
  const profiler = ebpf.sampleStacks({ frequency: 19, intervalMs: 10_000 });
  readProfile = () => profiler.read().total;
  closers.push(() => profiler.close());
}
if (mode === 'all') {
  // TCP and process counters in their summary mode (counted in the kernel, read every second), as the
  // Vigil series need them; watchTcp/watchProcesses would deliver every event of the shared machine.
  const tcp = ebpf.summarizeTcp({ intervalMs: 1000 });
  const processes = ebpf.summarizeProcesses({ intervalMs: 1000 });
  const rq = ebpf.watchRunQueueLatency({ intervalMs: 1000 });
  closers.push(
    () => tcp.close(),
    () => processes.close(),
    () => rq.close(),
  );
}
let baseline = 0;
console.log('ready');
process.stdin.on('data', (chunk: Buffer) => {
  if (!chunk.includes('measure')) return;
  baseline = tracerStats?.().counted ?? 0;
  // The profiler's first read parses kallsyms once (~0.4 s here); a long-running profiler has done that
  // long ago, so do it before the measured load, as part of the warm-up.
  readProfile?.();
  console.log('measuring');
});
process.stdin.on('end', () => {
  profileSamples = readProfile?.() ?? 0;
  const stats = tracerStats?.();
  for (const close of closers) close();
  console.log(
    JSON.stringify({
      requestsSeen: (stats?.counted ?? 0) - baseline,
      profileSamples,
      lostSync: stats?.lostSync ?? 0,
      kernelDrops: stats?.kernelDrops ?? 0,
    }),
  );
  process.exit(0);
});
process.stdin.resume();
