/**
 * What the single operations a request tracer's BPF program is made of cost on this machine — a helper call,
 * the clock, a 16-byte user-memory read, a hash-map lookup, a bpf_loop step — against an inlined array lookup
 * (no call at all) and an empty program. Each program of `bpf/primitives.bpf.c` repeats its operation 32 times;
 * it is run RUNS times with BPF_PROG_TEST_RUN while kernel.bpf_stats_enabled is on, in ROUNDS rounds in a
 * shuffled order; per operation: the median run time per run, and (that less the empty program's) / 32.
 * The machine's speculative-execution mitigations are recorded with them: they decide what a call and its
 * return cost in the kernel (retpolines, and on AMD Zen the "Safe RET" return thunk against SRSO).
 *
 * Run: `npx tsx bench/ebpf-overhead/primitives.ts [--write]` as root (`--write` replaces
 * `bench/results/ebpf-primitives.json`). VIGIL_BENCH_RUNS (default 20000), VIGIL_BENCH_ROUNDS (5).
 * Without root it says why and exits 0.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRng } from '@vigil/core';
import { BpfObject, bpfObjectPath } from '@vigil/ebpf-native';
import { checkEnvironment } from '@vigil/ebpf-native/environment';
import { progress, type Row, writeResult } from '../lib/report.ts';
import { bpfPrograms, median } from './cpu.ts';

const env = checkEnvironment();
if (env.problems.length > 0) {
  console.log(`bench/ebpf-overhead/primitives skipped: ${env.problems.join(' ')}`);
  process.exit(0);
}

const RUNS = Number(process.env.VIGIL_BENCH_RUNS ?? 20_000);
const ROUNDS = Number(process.env.VIGIL_BENCH_ROUNDS ?? 5);
/** Repetitions of the operation in each program (REPS in primitives.bpf.c). */
const REPS = 32;
const OPERATIONS: Record<string, string> = {
  prim_empty: 'empty program',
  prim_array_lookup: 'array-map lookup (inlined by the verifier: no call)',
  prim_helper: 'helper call (bpf_get_prandom_u32)',
  prim_clock: 'clock (bpf_ktime_get_ns)',
  prim_user_read: 'user-memory read, 16 bytes (bpf_probe_read_user)',
  prim_hash_lookup: 'hash-map lookup, 24-byte key, hit',
  prim_loop_step: 'bpf_loop step (an indirect call to its callback)',
};

/** The kernel's report of each speculative-execution issue and its mitigation. */
function mitigations(): Record<string, string> {
  const dir = '/sys/devices/system/cpu/vulnerabilities';
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir)) out[name] = readFileSync(`${dir}/${name}`, 'utf8').trim();
  return out;
}

const before = new Set(bpfPrograms().keys());
const obj = BpfObject.open(bpfObjectPath('primitives'));
obj.load();
const key = Buffer.alloc(24);
key.writeBigUInt64LE(1n, 0);
key.writeBigUInt64LE(2n, 8);
key.writeBigUInt64LE(3n, 16);
obj.map('prim_hash').update(key, Buffer.alloc(8));
/** Our programs' ids by name (bpftool gives the whole name from BTF, or the kernel's first 15 characters). */
const ids = new Map<string, number>();
for (const [id, p] of bpfPrograms()) {
  if (before.has(id)) continue;
  const name = Object.keys(OPERATIONS).find((n) => n === p.name || n.slice(0, 15) === p.name);
  if (name) ids.set(name, id);
}
if (ids.size !== Object.keys(OPERATIONS).length) {
  obj.close();
  throw new Error(`bpftool lists only ${[...ids.keys()].join(', ')} of the programs just loaded`);
}
const stats0 = readFileSync('/proc/sys/kernel/bpf_stats_enabled', 'utf8').trim();
spawnSync('sysctl', ['-q', 'kernel.bpf_stats_enabled=1']);
const perRun = new Map<string, number[]>(Object.keys(OPERATIONS).map((n) => [n, []]));
const rng = createRng(14);
const args = Buffer.alloc(16);
try {
  for (let round = 0; round < ROUNDS; round++) {
    const order = Object.keys(OPERATIONS);
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const name of order) {
      const id = ids.get(name)!;
      const a = bpfPrograms().get(id)!;
      for (let r = 0; r < RUNS; r++) obj.testRun(name, args);
      const b = bpfPrograms().get(id)!;
      perRun.get(name)!.push((b.ns - a.ns) / (b.runs - a.runs));
    }
    progress(
      `round ${round + 1}/${ROUNDS}: ${[...perRun].map(([n, v]) => `${n} ${v.at(-1)!.toFixed(0)} ns`).join(', ')}`,
    );
  }
} finally {
  spawnSync('sysctl', ['-q', `kernel.bpf_stats_enabled=${stats0}`]);
  obj.close();
}

const empty = median(perRun.get('prim_empty')!);
const rows: Row[] = Object.entries(OPERATIONS).map(([name, operation]) => {
  const ns = median(perRun.get(name)!);
  return {
    operation,
    program: name,
    nsPerRun: ns,
    nsPerRunMin: Math.min(...perRun.get(name)!),
    nsPerRunMax: Math.max(...perRun.get(name)!),
    nsPerOperation: name === 'prim_empty' ? null : (ns - empty) / REPS,
  };
});
const m = mitigations();
writeResult('ebpf-primitives', rows, {
  config: { runs: RUNS, rounds: ROUNDS, repetitionsPerProgram: REPS },
  method:
    "Each program of packages/ebpf-native/bpf/primitives.bpf.c repeats one operation 32 times; it is run RUNS times per round with BPF_PROG_TEST_RUN (from this process, so the user-memory reads read its stack) while kernel.bpf_stats_enabled is 1, and its run_time_ns / run_cnt read with bpftool before and after; ROUNDS rounds in a seeded shuffled order. nsPerRun: median over rounds; nsPerOperation: (nsPerRun - the empty program's) / 32. The statistics' own clock reads are in every program's run time alike and cancel in nsPerOperation.",
  mitigations: m,
  clocksource: readFileSync(
    '/sys/devices/system/clocksource/clocksource0/current_clocksource',
    'utf8',
  ).trim(),
});
