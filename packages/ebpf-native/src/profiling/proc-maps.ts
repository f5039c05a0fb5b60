/** A process's memory mappings from /proc/PID/maps: where each file (or anonymous region) is mapped. */
import { readFileSync } from 'node:fs';

/** One line of /proc/PID/maps. */
export interface Mapping {
  start: bigint;
  end: bigint;
  /** Offset in the file of `start`. */
  offset: bigint;
  /** The mapped file, or `[anon]`, `[heap]`, `[stack]`, … */
  path: string;
}

/**
 * The executable mappings of `pid` — the only ones a sampled frame can point into — in address order; empty when
 * the process has exited. A Node process has ~1 000 mappings of which ~100 are executable, and a profiler reads
 * them for every process it samples: the others are skipped before they are parsed.
 */
export function readMaps(pid: number): Mapping[] {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/maps`, 'latin1');
  } catch {
    return [];
  }
  const out: Mapping[] = [];
  for (const line of text.split('\n')) {
    // start-end perms offset dev inode [path]; perms is rwxp/rwxs with '-' for each missing right.
    const range = line.indexOf(' ');
    if (range < 0 || line.charCodeAt(range + 3) !== 120 /* x */) continue;
    const [, , offset, , , ...path] = line.split(/\s+/);
    const dash = line.indexOf('-');
    out.push({
      start: BigInt(`0x${line.slice(0, dash)}`),
      end: BigInt(`0x${line.slice(dash + 1, range)}`),
      offset: BigInt(`0x${offset}`),
      path: path.join(' ') || '[anon]',
    });
  }
  return out;
}

/**
 * When `pid` started (clock ticks after boot, /proc/PID/stat field 22), to tell a reused pid from the process
 * that had it; undefined when the process has exited.
 */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name (field 2) is in parentheses and may hold spaces or ')': count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** The mapping of `maps` (address order, as {@link readMaps} returns them) that holds `address`, by binary search. */
export function mappingAt(maps: readonly Mapping[], address: bigint): Mapping | undefined {
  let lo = 0;
  let hi = maps.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const m = maps[mid];
    if (address < m.start) hi = mid - 1;
    else if (address >= m.end) lo = mid + 1;
    else return m;
  }
  return undefined;
}
