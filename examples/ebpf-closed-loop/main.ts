/**
 * eBPF → detection → incident, in one process: the run-queue latency probe (tp_btf sched_wakeup/sched_switch)
 * measures how long runnable threads wait for a CPU; its p90 every 100 ms goes into a Pipeline with a streaming
 * detector; the example then starts more busy threads than the host has CPUs, and the pipeline opens an incident.
 * Needs root (or CAP_BPF + CAP_PERFMON), BTF and tracefs: `npm start --workspace @vigil/example-ebpf-closed-loop`.
 * Run it on an otherwise quiet host: other busy processes raise the baseline it learns during the warm-up, and the
 * contention then stands out less (which is why no automated test runs it beside the parallel test suite).
 */
import { cpus } from 'node:os';
import { type Incident, Pipeline } from '@vigil/core';
import { createDetector } from '@vigil/detectors';
import { checkEnvironment } from '@vigil/ebpf-native/environment';
import { contend } from './contention.js';

const env = checkEnvironment();
if (env.problems.length > 0) {
  console.error(`eBPF is not usable here:\n- ${env.problems.join('\n- ')}`);
  process.exit(2);
}
const { log2Quantile, subtractHistograms, watchRunQueueLatency } = await import('@vigil/ebpf-native');

const KEY = 'host/runqueue.latency.p90';
const incidents: Incident[] = [];
const pipeline = new Pipeline({
  // Log2 histogram quantiles move in powers of two, so the detector sees log10(ms): equal steps, and a jump from
  // microseconds to milliseconds stands out however quiet the host was. The recommended default judges each point
  // against everything the warm-up showed, so a baseline raised by other busy processes is learnt, not alarmed on
  // (with a rolling z-score this example missed its contention 3 runs in 3; with the default it found it 3 in 3).
  createDetector: () => createDetector('ensemble'),
  warmup: 100,
  policy: { threshold: 0.999, minPoints: 2, maxGap: 500 },
  incidentWindow: 1000,
  onIncident: (incident, change) => {
    if (change === 'closed') incidents.push(incident);
  },
});

const rq = watchRunQueueLatency({ intervalMs: 100 });
let previous = rq.read();
let stop = false;
const feed = (async () => {
  for await (const snapshot of rq) {
    if (stop) break;
    const p90ms = log2Quantile(subtractHistograms(snapshot.all, previous.all), 0.9) / 1e6;
    previous = snapshot;
    pipeline.push(KEY, snapshot.time, Number.isFinite(p90ms) && p90ms > 0 ? Math.log10(p90ms) : Number.NaN);
  }
})();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
await sleep(12_000); // warm-up (10 s) and a quiet baseline
const threads = 4 * cpus().length;
const contention = { start: Date.now(), end: 0 };
console.log(`starting ${threads} busy threads on ${cpus().length} CPUs for 2 s…`);
await contend(threads, 2000);
contention.end = Date.now();
await sleep(3000);
stop = true;
rq.close();
await feed.catch(() => {});
await pipeline.flush();

const iso = (t: number) => new Date(t).toISOString().slice(11, 23);
console.table(
  incidents.map((i) => ({
    incident: i.id,
    start: iso(i.start),
    end: iso(i.end),
    severity: i.severity,
    'peak score': i.peakScore.toFixed(6),
    during: i.start <= contention.end + 200 && i.end >= contention.start ? 'CPU contention' : 'other',
  })),
);
const found = incidents.some((i) => i.start <= contention.end + 200 && i.end >= contention.start);
console.log(
  `points scored: ${pipeline.stats.scored}; contention ${found ? 'found' : 'missed'}; incidents: ${incidents.length}`,
);
process.exitCode = found ? 0 : 1;
