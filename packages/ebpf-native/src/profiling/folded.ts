/**
 * Folded stacks (Brendan Gregg's FlameGraph `stackcollapse` format): one line per distinct stack,
 * `comm;outermost;…;innermost count`, kernel frames suffixed `_[k]` as stackcollapse-perf does.
 */
import type { CpuProfile } from './cpu-profile.js';

/**
 * The profile as folded stacks, heaviest first.
 *
 * @example
 * foldedStacks(profile) // 'app;main;hot_loop 912\napp;main;cold 31\n'
 */
export function foldedStacks(profile: CpuProfile): string {
  const counts = new Map<string, number>();
  for (const s of profile.samples) {
    const names = s.frames.map((f) => (f.kernel ? `${f.name}_[k]` : f.name).replace(/;/g, ':')).reverse();
    const line = [s.comm.replace(/;/g, ':') || '[unknown]', ...names].join(';');
    counts.set(line, (counts.get(line) ?? 0) + s.count);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([line, n]) => `${line} ${n}\n`)
    .join('');
}

/** Parses folded stacks back into (frames outermost first, count) pairs; malformed lines are skipped. */
export function parseFolded(text: string): Array<{ frames: string[]; count: number }> {
  const out: Array<{ frames: string[]; count: number }> = [];
  for (const line of text.split('\n')) {
    const m = /^(.*) (\d+)$/.exec(line);
    if (m?.[1]) out.push({ frames: m[1].split(';'), count: Number(m[2]) });
  }
  return out;
}
