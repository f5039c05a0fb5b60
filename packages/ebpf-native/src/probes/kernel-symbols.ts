/** Kernel address → symbol, from /proc/kallsyms (addresses are visible to root; zeros otherwise). */
import { readFileSync } from 'node:fs';
import { lastAtOrBelow } from '../profiling/last-at-or-below.js';

/** The process-wide table {@link KernelSymbols.shared} hands out, and when it was read. */
let shared: { table: KernelSymbols; at: number } | undefined;

/** A sorted symbol table that resolves an address to `name+0xoffset`. */
export class KernelSymbols {
  readonly #addresses: BigUint64Array;
  readonly #names: string[];

  private constructor(addresses: BigUint64Array, names: string[]) {
    this.#addresses = addresses;
    this.#names = names;
  }

  /** Reads /proc/kallsyms; an unreadable or address-less table resolves nothing (empty). */
  static load(path = '/proc/kallsyms'): KernelSymbols {
    const entries: Array<[bigint, string]> = [];
    try {
      for (const line of readFileSync(path, 'utf8').split('\n')) {
        const [hex, type, name] = line.split(/\s+/);
        // Text symbols only: stack frames are return addresses into code.
        if (!name || !/^[tTwW]$/.test(type)) continue;
        const address = BigInt(`0x${hex}`);
        if (address !== 0n) entries.push([address, name]);
      }
    } catch {
      // No kallsyms (containers, hardened kernels): frames stay as addresses.
    }
    entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return new KernelSymbols(
      BigUint64Array.from(entries.map((e) => e[0])),
      entries.map((e) => e[1]),
    );
  }

  /**
   * The /proc/kallsyms table shared by every profiler of this process, read again when older than `maxAgeMs`
   * (modules and BPF programs come and go; the kernel's own text does not move). Reading and sorting it costs
   * 0.2–0.4 s and tens of MB, which each profiler (and each `profileCpu` call) paid before.
   */
  static shared(maxAgeMs = 10 * 60_000): KernelSymbols {
    const now = Date.now();
    if (!shared || now - shared.at > maxAgeMs) shared = { table: KernelSymbols.load(), at: now };
    return shared.table;
  }

  /** Symbols loaded. */
  get size(): number {
    return this.#names.length;
  }

  /** `name+0xoffset` of the nearest symbol at or below `address`, or the hex address when none. */
  resolve(address: bigint): string {
    const found = lastAtOrBelow(this.#addresses, address);
    if (found < 0) return `0x${address.toString(16)}`;
    const offset = address - this.#addresses[found];
    return offset === 0n ? this.#names[found] : `${this.#names[found]}+0x${offset.toString(16)}`;
  }
}
