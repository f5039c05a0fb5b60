/**
 * Kernel-to-JS event delivery of @vigil/ebpf-native: events per second and CPU per event, batched
 * (the default: the event loop wakes once per batch) side by side with per-event delivery (maxBatch 1:
 * one main-thread wake-up per event, how a naive binding would do it), in the same run. Events come from
 * a BPF generator run with BPF_PROG_TEST_RUN, so the kernel side costs the same for both.
 *
 * A second table measures what a real probe costs the traced code: getppid(2) latency without and with
 * the syscall probe (raw_syscalls enter/exit; start times in task-local storage or in a per-thread hash)
 * and the process probe (exec/exit only, so syscalls should not pay).
 *
 * Needs root (or CAP_BPF + CAP_PERFMON); without it prints why and exits 0 without a result.
 */
import type { BpfObject, RingBufferOptions } from '@vigil/ebpf-native';
import { checkEnvironment } from '@vigil/ebpf-native/environment';
import { type Row, writeResult } from '../lib/report.ts';

const env = checkEnvironment();
if (env.problems.length > 0) {
  console.log(`bench/ebpf-events skipped: ${env.problems.join(' ')}`);
  process.exit(0);
}
// Imported after the check: the main entry throws at import when the addon is not built.
const { BpfObject: Bpf, bpfObjectPath, watchProcesses, watchSyscalls } = await import('@vigil/ebpf-native');

const EVENTS = 1 << 20;
const CHUNK = 1 << 14;

function emit(o: BpfObject, first: number, count: number): void {
  const ctx = Buffer.alloc(16);
  ctx.writeBigUInt64LE(BigInt(first), 0);
  ctx.writeBigUInt64LE(BigInt(count), 8);
  o.testRun('generate', ctx);
}

/** Delivers EVENTS events, paced in chunks so the ring never overflows; returns throughput and CPU. */
async function deliver(label: string, options: RingBufferOptions, paced: boolean): Promise<Row> {
  const obj = Bpf.open(bpfObjectPath('stress'));
  obj.resizeMap('events', 1 << 24);
  obj.load();
  let received = 0;
  let checksum = 0;
  const ring = obj.consumeRingBuffer(
    'events',
    ({ data, offsets, count }) => {
      // Touch every record as a consumer would: read its sequence number.
      for (let i = 0; i < count; i++) checksum += data.readUInt32LE(offsets[i]);
      received += count;
    },
    options,
  );
  const drops = () => ring.stats().kernelDrops ?? 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let first = 0; first < EVENTS; first += CHUNK) {
    emit(obj, first, CHUNK);
    if (paced) {
      while (received + drops() < first + CHUNK) await new Promise((r) => setImmediate(r));
    }
  }
  while (received + drops() < EVENTS) await new Promise((r) => setImmediate(r));
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const stats = ring.stats();
  obj.close();
  const expectedChecksum = (EVENTS * (EVENTS - 1)) / 2;
  return {
    delivery: label,
    mode: paced ? 'paced' : 'burst',
    events: EVENTS,
    received,
    kernelDrops: stats.kernelDrops ?? 0,
    exactlyOnce: paced ? checksum === expectedChecksum : null,
    wallMs: ms,
    eventsPerSec: received / (ms / 1000),
    cpuNsPerEvent: ((cpu.user + cpu.system) * 1000) / EVENTS,
    jsWakeups: stats.batches,
  };
}

/** Mean ns per getppid call over `calls` calls. */
function getppidNs(calls: number): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) void process.ppid;
  return Number(process.hrtime.bigint() - t0) / calls;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * Per-call overhead of a probe: rounds alternate without and with it attached, so both sides see the
 * same background load; the median of the paired differences is reported.
 */
function overheadOf(
  start: () => { close(): void },
  calls: number,
  rounds = 9,
): { without: number; with: number; overhead: number } {
  const without: number[] = [];
  const withProbe: number[] = [];
  for (let r = 0; r < rounds; r++) {
    without.push(getppidNs(calls));
    const probe = start();
    withProbe.push(getppidNs(calls));
    probe.close();
  }
  return {
    without: median(without),
    with: median(withProbe),
    overhead: median(withProbe.map((w, i) => w - without[i])),
  };
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  rows.push(await deliver('vigil batched (maxBatch 4096)', { maxBatch: 4096 }, true));
  rows.push(await deliver('per-event wake-ups (maxBatch 1)', { maxBatch: 1, maxPending: 1 << 16 }, true));
  rows.push(await deliver('vigil batched (maxBatch 4096)', { maxBatch: 4096 }, false));
  rows.push(await deliver('per-event wake-ups (maxBatch 1)', { maxBatch: 1, maxPending: 1 << 16 }, false));

  const calls = 100_000;
  getppidNs(calls); // warm up
  const overhead: Row[] = [];
  for (const [probe, start] of [
    [
      'watchSyscalls, task-storage start times',
      () => watchSyscalls({ intervalMs: 60_000, startTimes: 'task-storage' }),
    ],
    [
      'watchSyscalls, per-thread hash start times',
      () => watchSyscalls({ intervalMs: 60_000, startTimes: 'hash' }),
    ],
    ['watchProcesses (exec/exit only)', () => watchProcesses()],
  ] as const) {
    const o = overheadOf(start, calls);
    overhead.push({
      probe,
      nsPerGetppidWithout: o.without,
      nsPerGetppidWith: o.with,
      medianOverheadNs: o.overhead,
    });
  }
  console.log('');
  writeResult('ebpf-events', rows, {
    events: EVENTS,
    chunk: CHUNK,
    recordBytes: 16,
    kernel: env.kernel,
    libbpf: env.libbpfVersion,
    syscallOverhead: overhead,
    notes:
      'cpuNsPerEvent is the whole process (generator syscall + consumer thread + JS) divided by events; ' +
      'paced rows emit 16384 events and wait for them, burst rows emit as fast as BPF_PROG_TEST_RUN allows into a 16 MiB ring.',
  });
  const { formatTable } = await import('../lib/report.ts');
  console.log(`\nsyscall overhead\n${formatTable(overhead)}`);
}

await main();
