/** Counts kernel objects with bpftool and /proc, from outside the objects' owner (the addon). */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Whether bpftool is installed (CI installs it; tests that count links skip without it). */
export const hasBpftool = spawnSync('sh', ['-c', 'command -v bpftool'], { stdio: 'ignore' }).status === 0;

const names = new Map<number, string>();

function programName(id: number): string | undefined {
  const known = names.get(id);
  if (known !== undefined) return known;
  const out = spawnSync('bpftool', ['-j', 'prog', 'show', 'id', String(id)], { encoding: 'utf8' }).stdout;
  try {
    const name = (JSON.parse(out) as { name?: string }).name;
    if (name) names.set(id, name); // ids are not reused while the program lives
    return name;
  } catch {
    return undefined; // the program is gone
  }
}

/** The fdinfo of every BPF descriptor this process holds (worker threads included). */
function ownDescriptors(): string[] {
  const out: string[] = [];
  for (const fd of readdirSync('/proc/self/fdinfo')) {
    try {
      const info = readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8');
      if (/^prog_id:/m.test(info)) out.push(info);
    } catch {
      // closed meanwhile
    }
  }
  return out;
}

/**
 * The newest program id this process holds: programs it loads later get larger ids (the kernel hands
 * them out in increasing order), so `linksOf(name, newestProgramId())` ignores objects an earlier test
 * left for the garbage collector to close.
 */
export function newestProgramId(): number {
  return Math.max(0, ...ownDescriptors().map((info) => Number(/^prog_id:\s*(\d+)/m.exec(info)?.[1] ?? 0)));
}

/**
 * Links held by this process (worker threads included) whose program is named `name` and has an id above
 * `since`: the link descriptors in /proc/self/fdinfo, their programs named by bpftool. Counting only our
 * own links keeps the count exact while other processes (other test files, other checkouts' runs) attach
 * the same programs.
 */
export function linksOf(name: string, since = 0): number {
  let count = 0;
  for (const info of ownDescriptors()) {
    if (!/^link_id:/m.test(info)) continue;
    const id = Number(/^prog_id:\s*(\d+)/m.exec(info)?.[1] ?? 0);
    if (id > since && programName(id) === name) count++;
  }
  return count;
}

const mapNames = new Map<number, string>();

/**
 * Entries of the newest map named `name` this process holds (map descriptors in /proc/self/fdinfo, named and
 * dumped by bpftool): a probe's own map, not a same-named one of another process or an earlier object.
 */
export function ownMapEntries(name: string): number {
  let newest = 0;
  for (const fd of readdirSync('/proc/self/fdinfo')) {
    let info: string;
    try {
      info = readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8');
    } catch {
      continue; // closed meanwhile
    }
    const id = Number(/^map_id:\s*(\d+)/m.exec(info)?.[1] ?? 0);
    if (id <= newest) continue;
    let known = mapNames.get(id);
    if (known === undefined) {
      const show = spawnSync('bpftool', ['-j', 'map', 'show', 'id', String(id)], { encoding: 'utf8' }).stdout;
      known = (JSON.parse(show || '{}') as { name?: string }).name ?? '';
      mapNames.set(id, known); // ids are not reused while we hold the map
    }
    if (known === name) newest = id;
  }
  if (!newest) throw new Error(`this process holds no map named ${name}`);
  const dump = spawnSync('bpftool', ['-j', 'map', 'dump', 'id', String(newest)], { encoding: 'utf8' }).stdout;
  return (JSON.parse(dump) as unknown[]).length;
}
