/** A BPF ELF object: inspect without privileges, then load, attach, read maps and consume ring buffers. */
import { existsSync, readFileSync } from 'node:fs';
import { findTracefs } from '../environment.js';
import { requireInput, VigilEbpfError } from '../errors.js';
import { loadAddon } from '../native/load-addon.js';
import type { MapInfo, NativeAttachSpec, NativeObject, ProgramInfo } from '../native/native-types.js';
import { BpfLink } from './bpf-link.js';
import { BpfMap } from './bpf-map.js';
import { native } from './classify-error.js';
import { type RecordBatch, RingBuffer, type RingBufferOptions } from './ring-buffer.js';

export type { MapInfo, ProgramInfo } from '../native/native-types.js';

/** Where a uprobe attaches. */
export interface UprobeTarget {
  /** Path of the ELF binary or shared library. */
  binary: string;
  /** Function name to resolve in `binary`'s symbols; with `offset`, an offset inside it. */
  func?: string;
  /** Byte offset in the file (or inside `func`); default 0. */
  offset?: number;
  /** Only this process; default -1 (every process that maps `binary`). */
  pid?: number;
  /** Attach at function return instead of entry; default false. */
  retprobe?: boolean;
}

/** A perf event to sample on. */
export interface PerfEventTarget {
  /** `software` (PERF_TYPE_SOFTWARE) or `hardware`, or a raw perf type number; default `software`. */
  type?: 'software' | 'hardware' | number;
  /** Event within the type: `cpu-clock`, `task-clock`, `cpu-cycles`, `instructions`, or a raw config number; default `cpu-clock`. */
  event?: 'cpu-clock' | 'task-clock' | 'cpu-cycles' | 'instructions' | number;
  /** Samples per second (Hz); default 99. Exclusive with `period`. */
  frequency?: number;
  /** Events between samples, instead of a frequency. */
  period?: number;
  /** Only this process; default -1 (all processes on the CPU). */
  pid?: number;
  /** CPUs to sample on; default every online CPU. */
  cpus?: readonly number[];
}

const PERF_TYPES = { software: 1, hardware: 0 } as const;
const PERF_EVENTS = {
  'cpu-clock': { type: 1, config: 0 },
  'task-clock': { type: 1, config: 1 },
  'cpu-cycles': { type: 0, config: 0 },
  instructions: { type: 0, config: 1 },
} as const;

/** Options of {@link BpfObject.open}. */
export interface OpenOptions {
  /** Object name used in kernel-visible map and program names; default from the file name. */
  name?: string;
}

/**
 * One BPF object (ELF), opened from a path or bytes. Opening and inspecting need no privileges; loading
 * does. Every link, map handle and ring buffer created from it is released by `close()`, by garbage
 * collection of the object, or at process exit, whichever comes first.
 *
 * @example
 * const obj = BpfObject.open('/path/to/probe.bpf.o');
 * console.log(obj.programs.map((p) => p.section));
 * obj.load();
 * obj.attach('handle_exec');
 * obj.close();
 */
export class BpfObject {
  readonly #native: NativeObject;
  readonly #cpus: number;
  #maps = new Map<string, BpfMap>();
  #rings = new Set<RingBuffer>();
  #links = new Set<BpfLink>();

  private constructor(object: NativeObject, cpus: number) {
    this.#native = object;
    this.#cpus = cpus;
  }

  /**
   * Opens a BPF ELF object without loading it.
   *
   * @throws {VigilEbpfError} `EBPF_ADDON_UNAVAILABLE`, `EBPF_INPUT` (missing file), `EBPF_SYSCALL` (not a BPF ELF).
   */
  static open(source: string | Uint8Array, options: OpenOptions = {}): BpfObject {
    const addon = loadAddon();
    if (typeof source === 'string') {
      requireInput(
        existsSync(source),
        'source',
        `'${source}' does not exist`,
        'pass the path of a compiled .bpf.o file.',
      );
    } else {
      requireInput(
        source instanceof Uint8Array && source.byteLength > 0,
        'source',
        'must be a non-empty path or byte array',
        'pass a .bpf.o path or its bytes.',
      );
    }
    const src =
      typeof source === 'string' ? source : Buffer.from(source.buffer, source.byteOffset, source.byteLength);
    const object = native('open BPF object', () => new addon.BpfObject(src, options.name));
    return new BpfObject(object, addon.numPossibleCpus());
  }

  /** Number of possible CPUs, the length of per-CPU values. */
  get possibleCpus(): number {
    return this.#cpus;
  }

  /** Whether `load()` has succeeded and `close()` has not been called. */
  get loaded(): boolean {
    return this.#native.isLoaded();
  }

  /** The programs in the object. */
  get programs(): ProgramInfo[] {
    return native('list programs', () => this.#native.programs());
  }

  /** The maps in the object. */
  get maps(): MapInfo[] {
    return native('list maps', () => this.#native.maps());
  }

  /** Chooses whether `load()` loads a program; call before `load()`. */
  setAutoload(program: string, autoload: boolean): void {
    native(`set autoload of '${program}'`, () => this.#native.setAutoload(program, autoload));
  }

  /**
   * Chooses whether `load()` creates a map; call before `load()`. A map no loaded program uses can be
   * skipped this way on kernels that lack its type.
   */
  setAutocreate(map: string, autocreate: boolean): void {
    native(`set autocreate of '${map}'`, () => this.#native.setAutocreate(map, autocreate));
  }

  /** Resizes a map before `load()` (bytes for ring buffers: a power of two multiple of the page size). */
  resizeMap(map: string, maxEntries: number): void {
    requireInput(
      Number.isInteger(maxEntries) && maxEntries > 0,
      'maxEntries',
      'must be a positive integer',
      'pass e.g. 1 << 20.',
    );
    native(`resize map '${map}'`, () => this.#native.setMaxEntries(map, maxEntries));
  }

  /**
   * Loads every autoload program into the kernel and creates the maps. On failure the object is closed.
   * Idempotent: loading a loaded object does nothing (it neither reloads nor closes it).
   *
   * @throws {VigilEbpfError} `EBPF_PERMISSION`, `EBPF_VERIFIER` (with `verifierLog`), `EBPF_NO_BTF`, `EBPF_SYSCALL`.
   */
  load(): void {
    if (this.loaded) return;
    native('load BPF object', () => this.#native.load());
  }

  #attach(program: string, spec: NativeAttachSpec, target: string): BpfLink {
    const link = new BpfLink(
      native(`attach '${program}' to ${target}`, () => this.#native.attach(program, spec)),
      target,
    );
    this.#links.add(link);
    return link;
  }

  /**
   * Attaches a program where its section says (`tp/…`, `raw_tp/…`, `tp_btf/…`, `uprobe/…`, …).
   *
   * @throws {VigilEbpfError} `EBPF_TRACEPOINT_MISSING`, `EBPF_TRACEFS`, `EBPF_FEATURE_MISSING`, `EBPF_SYSCALL`.
   */
  attach(program: string): BpfLink {
    const info = this.programs.find((p) => p.name === program);
    requireInput(
      info !== undefined,
      'program',
      `'${program}' is not in this object`,
      `use one of ${this.programs.map((p) => p.name).join(', ')}.`,
    );
    const where: Record<string, string> = {
      uprobe: 'attachUprobe',
      uretprobe: 'attachUprobe',
      perf_event: 'attachPerfEvent',
      raw_tp: 'attachRawTracepoint',
      raw_tracepoint: 'attachRawTracepoint',
    };
    requireInput(
      !(info.section in where),
      'program',
      `'${program}' is in section '${info.section}', which names no attach target`,
      `call ${where[info.section]}() with the target.`,
    );
    const tp = /^(?:tp|tracepoint)\/([^/]+)\/([^/]+)$/.exec(info.section);
    if (tp) return this.attachTracepoint(program, tp[1], tp[2]);
    const btf = /^(?:tp_btf|raw_tp|raw_tracepoint)\/(.+)$/.exec(info.section);
    if (btf) requireTracepointByName(btf[1]);
    return this.#attach(program, { kind: 'auto' }, info.section);
  }

  /**
   * Attaches a tracepoint program to `category:name`.
   *
   * @throws {VigilEbpfError} `EBPF_TRACEFS` when tracefs is not mounted, `EBPF_TRACEPOINT_MISSING` when the kernel lacks it.
   */
  attachTracepoint(program: string, category: string, name: string): BpfLink {
    requireTracepoint(category, name);
    return this.#attach(program, { kind: 'tracepoint', category, name }, `tracepoint ${category}:${name}`);
  }

  /** Attaches a raw tracepoint program (`raw_tp`) to tracepoint `name`, e.g. `sys_enter`. */
  attachRawTracepoint(program: string, name: string): BpfLink {
    requireTracepointByName(name);
    return this.#attach(program, { kind: 'raw_tracepoint', name }, `raw tracepoint ${name}`);
  }

  /** Attaches a uprobe or uretprobe program to a function or offset of an ELF binary. */
  attachUprobe(program: string, target: UprobeTarget): BpfLink {
    requireInput(
      existsSync(target.binary),
      'target.binary',
      `'${target.binary}' does not exist`,
      'pass the path of an ELF binary or shared library.',
    );
    const where = `${target.retprobe ? 'uretprobe' : 'uprobe'} ${target.binary}${target.func ? `:${target.func}` : ''}`;
    return this.#attach(program, { kind: 'uprobe', ...target, pid: target.pid ?? -1 }, where);
  }

  /** Attaches a perf_event program to a sampling perf event on each CPU; returns one link per CPU. */
  attachPerfEvent(program: string, target: PerfEventTarget = {}): BpfLink[] {
    const named = typeof target.event === 'string' ? PERF_EVENTS[target.event] : undefined;
    const type =
      typeof target.type === 'number'
        ? target.type
        : named
          ? named.type
          : PERF_TYPES[target.type ?? 'software'];
    const config = typeof target.event === 'number' ? target.event : (named?.config ?? 0);
    requireInput(
      !(target.frequency && target.period),
      'target',
      'sets both frequency and period',
      'choose one.',
    );
    const frequency = target.period ? undefined : (target.frequency ?? 99);
    const cpus = target.cpus ?? Array.from({ length: this.#cpus }, (_, i) => i);
    const links: BpfLink[] = [];
    try {
      for (const cpu of cpus) {
        links.push(
          this.#attach(
            program,
            {
              kind: 'perf_event',
              type,
              config,
              frequency,
              period: target.period,
              pid: target.pid ?? -1,
              cpu,
            },
            `perf event type ${type} config ${config} on CPU ${cpu}`,
          ),
        );
      }
    } catch (e) {
      // All or nothing: a partial attach would sample some CPUs silently.
      for (const link of links) link.close();
      throw e;
    }
    return links;
  }

  /** The map named `name` of the loaded object. */
  map(name: string): BpfMap {
    let m = this.#maps.get(name);
    if (!m) {
      const info = this.maps.find((x) => x.name === name);
      requireInput(
        info !== undefined,
        'map',
        `'${name}' is not in this object`,
        `use one of ${this.maps.map((x) => x.name).join(', ')}.`,
      );
      m = new BpfMap(this.#native, info, this.#cpus);
      this.#maps.set(name, m);
    }
    return m;
  }

  /**
   * Starts consuming a ring buffer map on a native thread; `onBatch` runs on the main thread once per batch.
   * When the object has a per-CPU `drops` map (the convention of this package's probes), its sum is
   * reported as `kernelDrops`.
   */
  consumeRingBuffer(
    mapName: string,
    onBatch: (batch: RecordBatch) => void,
    options: RingBufferOptions = {},
  ): RingBuffer {
    const addon = loadAddon();
    const drops = this.maps.some((m) => m.name === 'drops') ? this.map('drops') : undefined;
    const ring = native(
      `consume ring buffer '${mapName}'`,
      () =>
        new RingBuffer(
          this.#native,
          mapName,
          onBatch,
          options,
          drops,
          (o, m, cb, opts) => new addon.RingConsumer(o, m, cb, opts),
        ),
    );
    this.#rings.add(ring);
    return ring;
  }

  /** Runs a loaded program once with BPF_PROG_TEST_RUN (raw_tp programs take their u64 args as `ctx`). */
  testRun(program: string, ctx?: Uint8Array): { retval: number; durationNs: number } {
    const c = ctx ? Buffer.from(ctx.buffer, ctx.byteOffset, ctx.byteLength) : undefined;
    return native(`test run of '${program}'`, () => this.#native.testRun(program, c));
  }

  /** Stops ring buffers, detaches every link, unloads programs and frees maps. Idempotent. */
  close(): void {
    for (const ring of this.#rings) ring.close();
    this.#rings.clear();
    this.#native.close();
  }
}

function requireTracepoint(category: string, name: string): void {
  const tracefs = findTracefs();
  if (!tracefs) {
    throw new VigilEbpfError(
      'EBPF_TRACEFS',
      `cannot attach to ${category}:${name}: tracefs is not mounted.`,
      {
        fix: 'mount -t tracefs tracefs /sys/kernel/tracing',
      },
    );
  }
  if (!existsSync(`${tracefs}/events/${category}/${name}`)) {
    throw new VigilEbpfError(
      'EBPF_TRACEPOINT_MISSING',
      `this kernel has no tracepoint ${category}:${name}.`,
      {
        fix: `list what it has with ls ${tracefs}/events/${category}; the probe needs a kernel that defines it.`,
      },
    );
  }
}

let availableEvents: Set<string> | undefined;

function requireTracepointByName(name: string): void {
  const tracefs = findTracefs();
  // Raw and BTF tracepoints resolve through BTF, not tracefs; check only when tracefs can tell us.
  if (!tracefs) return;
  if (!availableEvents) {
    try {
      const lines = readFileSync(`${tracefs}/available_events`, 'utf8').split('\n');
      availableEvents = new Set(lines.map((l) => l.slice(l.indexOf(':') + 1)));
    } catch {
      return;
    }
  }
  if (!availableEvents.has(name)) {
    throw new VigilEbpfError('EBPF_TRACEPOINT_MISSING', `this kernel has no tracepoint named ${name}.`, {
      fix: `grep ':${name}$' ${tracefs}/available_events lists it when the kernel has it.`,
    });
  }
}
