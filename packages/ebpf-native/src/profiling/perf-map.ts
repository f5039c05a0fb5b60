/**
 * JIT symbols from `/tmp/perf-PID.map`, the file JIT runtimes write for perf (`node --perf-basic-prof`,
 * the JVM's perf-map-agent): one `START SIZE name` line per code object, hex, later lines describing code
 * that replaced earlier code at the same place.
 */
import { readFileSync, statSync } from 'node:fs';
import { lastAtOrBelow } from './last-at-or-below.js';

/** A sorted table of one process's JIT code objects. */
export class PerfMap {
  readonly #path: string;
  #loadedSize = -1;
  #starts = new Float64Array(0);
  #ends = new Float64Array(0);
  #names: string[] = [];

  constructor(pid: number, dir = '/tmp') {
    this.#path = `${dir}/perf-${pid}.map`;
  }

  /** (Re)reads the file when it grew since the last read; false when there is none. */
  refresh(): boolean {
    let size: number;
    try {
      size = statSync(this.#path).size;
    } catch {
      return false;
    }
    if (size === this.#loadedSize) return true;
    const entries = new Map<number, [number, string]>();
    for (const line of readFileSync(this.#path, 'utf8').split('\n')) {
      const m = /^([0-9a-fA-F]+) ([0-9a-fA-F]+) (.+)$/.exec(line);
      if (m) entries.set(Number.parseInt(m[1], 16), [Number.parseInt(m[2], 16), m[3]]);
    }
    const sorted = [...entries].sort((a, b) => a[0] - b[0]);
    this.#starts = Float64Array.from(sorted, (e) => e[0]);
    this.#ends = Float64Array.from(sorted, (e) => e[0] + e[1][0]);
    this.#names = sorted.map((e) => e[1][1]);
    this.#loadedSize = size;
    return true;
  }

  /** The code object containing `address`. */
  resolve(address: number): string | undefined {
    const found = lastAtOrBelow(this.#starts, address);
    return found >= 0 && address < this.#ends[found] ? this.#names[found] : undefined;
  }
}
