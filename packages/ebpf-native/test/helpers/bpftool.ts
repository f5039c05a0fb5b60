/** Counts kernel objects from outside the process that owns them, with bpftool. */
import { spawnSync } from 'node:child_process';

/** Whether bpftool is installed (CI installs it; tests that count links skip without it). */
export const hasBpftool = spawnSync('sh', ['-c', 'command -v bpftool'], { stdio: 'ignore' }).status === 0;

/** Links, system-wide, whose program is named `name`. */
export function linksOf(name: string): number {
  const progs = JSON.parse(
    spawnSync('bpftool', ['-j', 'prog', 'show'], { encoding: 'utf8' }).stdout || '[]',
  ) as Array<{
    id: number;
    name?: string;
  }>;
  const ids = new Set(progs.filter((p) => p.name === name).map((p) => p.id));
  const links = JSON.parse(
    spawnSync('bpftool', ['-j', 'link', 'show'], { encoding: 'utf8' }).stdout || '[]',
  ) as Array<{
    prog_id: number;
  }>;
  return links.filter((l) => ids.has(l.prog_id)).length;
}
