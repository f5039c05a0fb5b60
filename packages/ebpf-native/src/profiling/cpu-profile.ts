/** A symbolized CPU profile: what `sampleStacks` counted, with every frame named. */
import type { StackSnapshot } from '../probes/stack-probe.js';
import type { ProfileFrame, Symbolizer } from './symbolizer.js';

/** One distinct stack and how often it was sampled. */
export interface ProfileSample {
  pid: number;
  comm: string;
  count: number;
  /** Innermost first: kernel frames (if the sample hit the kernel), then user frames. */
  frames: ProfileFrame[];
}

/** A CPU profile over an interval. */
export interface CpuProfile {
  /** Unix epoch ms at the end of the interval. */
  time: number;
  /** Length of the interval, ms. */
  durationMs: number;
  /** Samples per second per CPU. */
  frequency: number;
  samples: ProfileSample[];
}

/**
 * Names every frame of a stack snapshot (read it while the sampled processes still run: their mappings
 * are read from /proc). Counts are those of `snapshot`; pass the difference of two snapshots' stacks for
 * an interval.
 */
export function symbolizeStacks(
  snapshot: StackSnapshot,
  symbolizer: Symbolizer,
  options: { frequency: number; durationMs: number },
): CpuProfile {
  const samples = snapshot.stacks.map((s): ProfileSample => {
    const kernel = s.kernelAddresses.map((a) => symbolizer.kernel(a));
    const user = s.user.map((f) => symbolizer.user(s.pid, BigInt(f.address)));
    return { pid: s.pid, comm: s.comm, count: s.count, frames: [...kernel, ...user] };
  });
  return { time: snapshot.time, durationMs: options.durationMs, frequency: options.frequency, samples };
}

/**
 * The leaf (innermost) functions by samples, most first: where the CPU time went.
 *
 * @example
 * topFunctions(profile)[0] // { name: 'hot_loop', module: '/usr/bin/app', count: 912, share: 0.94 }
 */
export function topFunctions(
  profile: CpuProfile,
): Array<{ name: string; module: string; count: number; share: number }> {
  const byName = new Map<string, { name: string; module: string; count: number }>();
  let total = 0;
  for (const s of profile.samples) {
    total += s.count;
    const leaf = s.frames[0] ?? { name: '[unknown]', module: '[unknown]' };
    const key = `${leaf.module}\u0000${leaf.name}`;
    const entry = byName.get(key) ?? { name: leaf.name, module: leaf.module, count: 0 };
    entry.count += s.count;
    byName.set(key, entry);
  }
  return [...byName.values()]
    .sort((a, b) => b.count - a.count)
    .map((e) => ({ ...e, share: total > 0 ? e.count / total : 0 }));
}

/** Options of {@link profileCpu}. */
export interface ProfileCpuOptions {
  /** Only this process; default every process. */
  pid?: number;
  /** Samples per second per CPU; default 99. */
  frequency?: number;
  /** How long to sample, ms; default 10000. */
  durationMs?: number;
  /** Where JIT runtimes write perf-PID.map; default /tmp. */
  perfMapDir?: string;
}
