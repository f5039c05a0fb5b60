/**
 * Kernel-to-JS event delivery of @vigil/ebpf-native: events per second and CPU per event, batched
 * (the default: the event loop wakes once per batch) side by side with per-event delivery (maxBatch 1:
 * one main-thread wake-up per event, how a naive binding would do it), in the same run. Events come from
 * a BPF generator run with BPF_PROG_TEST_RUN, so the kernel side costs the same for both.
 *
 * A second table measures what a real probe costs the traced code: getppid(2) latency with no probe,
 * with the syscall probe (raw_syscalls enter/exit, per-CPU maps) and with the process probe attached.
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

/** Median ns per getppid call over `rounds` rounds of `calls` calls. */
function getppidNs(calls: number, rounds = 7): number {
  const perRound: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) void process.ppid;
    perRound.push(Number(process.hrtime.bigint() - t0) / calls);
  }
  perRound.sort((a, b) => a - b);
  return perRound[Math.floor(rounds / 2)];
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  rows.push(await deliver('vigil batched (maxBatch 4096)', { maxBatch: 4096 }, true));
  rows.push(await deliver('per-event wake-ups (maxBatch 1)', { maxBatch: 1, maxPending: 1 << 16 }, true));
  rows.push(await deliver('vigil batched (maxBatch 4096)', { maxBatch: 4096 }, false));
  rows.push(await deliver('per-event wake-ups (maxBatch 1)', { maxBatch: 1, maxPending: 1 << 16 }, false));

  const calls = 200_000;
  getppidNs(calls, 2); // warm up
  const overhead: Row[] = [];
  const baseline = getppidNs(calls);
  overhead.push({ probe: 'none', nsPerGetppid: baseline, overheadNs: 0 });
  const sys = watchSyscalls({ intervalMs: 60_000 });
  const withSyscalls = getppidNs(calls);
  sys.close();
  overhead.push({
    probe: 'watchSyscalls (all processes)',
    nsPerGetppid: withSyscalls,
    overheadNs: withSyscalls - baseline,
  });
  const proc = watchProcesses();
  const withProcesses = getppidNs(calls);
  proc.close();
  overhead.push({
    probe: 'watchProcesses (exec/exit only)',
    nsPerGetppid: withProcesses,
    overheadNs: withProcesses - baseline,
  });
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
