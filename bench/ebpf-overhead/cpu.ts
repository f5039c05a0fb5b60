/** CPU time of processes (from /proc) and of BPF programs (from bpftool), and the median, shared by the overhead benches. */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** CPU time of every thread of `pid`, in ns (schedstat's first field: time on CPU). */
export function threadsCpuNs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return ns;
}

/**
 * Every loaded BPF program by id: its name and, while kernel.bpf_stats_enabled is 1, its total run time (ns) and
 * runs. Needs bpftool.
 */
export function bpfPrograms(): Map<number, { name: string; ns: number; runs: number }> {
  let r = spawnSync('bpftool', ['-j', 'prog', 'show'], { encoding: 'utf8' });
  // A program unloading while bpftool walks the list makes it fail ("can't get prog by id"): ask again.
  for (let attempt = 0; r.status !== 0 && attempt < 20; attempt++) {
    r = spawnSync('bpftool', ['-j', 'prog', 'show'], { encoding: 'utf8' });
  }
  if (r.status !== 0) throw new Error(`bpftool prog show failed: ${r.stderr}`);
  const out = new Map<number, { name: string; ns: number; runs: number }>();
  for (const p of JSON.parse(r.stdout || '[]') as Array<{
    id: number;
    name: string;
    run_time_ns?: number;
    run_cnt?: number;
  }>) {
    out.set(p.id, { name: p.name, ns: p.run_time_ns ?? 0, runs: p.run_cnt ?? 0 });
  }
  return out;
}

/** The median of `xs` (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
