/**
 * Names for sampled instruction pointers: kernel addresses from /proc/kallsyms, user addresses through
 * the process's mappings — a mapped ELF file's `.symtab`/`.dynsym`, or for anonymous (JIT) memory the
 * process's `/tmp/perf-PID.map`. Tables are cached per file and per process.
 */
import { KernelSymbols } from '../probes/kernel-symbols.js';
import { ElfSymbols } from './elf-symbols.js';
import { PerfMap } from './perf-map.js';
import { type Mapping, mappingAt, readMaps } from './proc-maps.js';

/** A symbolized frame. */
export interface ProfileFrame {
  /** Function name; `[unknown]` (with the module) when no table names the address. */
  name: string;
  /** The mapped file, `[jit]` for perf-map code, `[kernel]`, or `[unknown]`. */
  module: string;
  address: bigint;
  kernel: boolean;
}

interface ProcessTables {
  maps: Mapping[];
  perfMap: PerfMap;
}

/** Resolves addresses to function names; keep one for a profile (or a process's lifetime). */
export class Symbolizer {
  #kernel: KernelSymbols | undefined;
  readonly #elf = new Map<string, ElfSymbols | undefined>();
  readonly #processes = new Map<number, ProcessTables>();
  readonly #perfMapDir: string;

  /** @param perfMapDir where JIT runtimes write perf-PID.map; default /tmp */
  constructor(perfMapDir = '/tmp') {
    this.#perfMapDir = perfMapDir;
  }

  /** A kernel frame: `name` without the `+0x…` offset. */
  kernel(address: bigint): ProfileFrame {
    this.#kernel ??= KernelSymbols.load();
    const resolved = this.#kernel.resolve(address);
    const name = resolved.startsWith('0x') ? '[unknown]' : resolved.replace(/\+0x[0-9a-f]+$/, '');
    return { name, module: '[kernel]', address, kernel: true };
  }

  /** A user frame of process `pid` (which must still be running for its mappings to be read). */
  user(pid: number, address: bigint): ProfileFrame {
    let tables = this.#processes.get(pid);
    if (!tables) {
      tables = { maps: readMaps(pid), perfMap: new PerfMap(pid, this.#perfMapDir) };
      tables.perfMap.refresh();
      this.#processes.set(pid, tables);
    }
    const mapping = mappingAt(tables.maps, address);
    if (mapping?.path.startsWith('/')) {
      let elf = this.#elf.get(mapping.path);
      if (!this.#elf.has(mapping.path)) {
        elf = ElfSymbols.load(mapping.path);
        this.#elf.set(mapping.path, elf);
      }
      const name = elf?.resolveOffset(Number(address - mapping.start + mapping.offset));
      if (name) return { name, module: mapping.path, address, kernel: false };
    }
    const jit = tables.perfMap.resolve(Number(address));
    if (jit) return { name: jit, module: '[jit]', address, kernel: false };
    return { name: '[unknown]', module: mapping?.path ?? '[unknown]', address, kernel: false };
  }

  /** Forgets a process's mappings and JIT table (after it exec'd or when its JIT map grew). */
  forget(pid: number): void {
    this.#processes.delete(pid);
  }
}
