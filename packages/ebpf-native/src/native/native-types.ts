/** The shape of the compiled addon (src/addon), as the TypeScript layer uses it. */
// The addon reports programs and maps exactly as the public API describes them (BpfObject re-exports these two).

/** A program in a BPF object. */
export interface ProgramInfo {
  /** Function name in the BPF source. */
  name: string;
  /** ELF section, which also says where `attach()` attaches it, e.g. `tp/sched/sched_process_exec`. */
  section: string;
  /** Program type, e.g. `tracepoint`, `tracing`, `kprobe` (uprobes), `perf_event`. */
  type: string;
  /** Whether `load()` loads it. */
  autoload: boolean;
  /** Instructions before load. */
  instructions: number;
}

/** A map in a BPF object, as declared (before load) or created (after). */
export interface MapInfo {
  name: string;
  type: string;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  /** libbpf-internal maps such as `.rodata` and `.bss`. */
  internal: boolean;
}

/** Where `attach()` attaches: by section, or an explicit hook. */
export type NativeAttachSpec =
  | { kind: 'auto' }
  | { kind: 'tracepoint'; category: string; name: string }
  | { kind: 'raw_tracepoint'; name: string }
  | { kind: 'uprobe'; binary: string; func?: string; offset?: number; pid?: number; retprobe?: boolean }
  | {
      kind: 'perf_event';
      type: number;
      config: number;
      frequency?: number;
      period?: number;
      pid: number;
      cpu: number;
    };

/** A `bpf_link` owned by its object. */
export interface NativeLink {
  destroy(): void;
  isAttached(): boolean;
}

/** A `bpf_object` and its maps and programs (src/addon/object.cc). */
export interface NativeObject {
  programs(): ProgramInfo[];
  maps(): MapInfo[];
  setAutoload(program: string, autoload: boolean): void;
  setMaxEntries(map: string, maxEntries: number): void;
  setAutocreate(map: string, autocreate: boolean): void;
  load(): void;
  attach(program: string, spec: NativeAttachSpec): NativeLink;
  testRun(program: string, ctx?: Buffer): { retval: number; durationNs: number };
  mapLookup(map: string, key: Buffer): Buffer | null;
  mapUpdate(map: string, key: Buffer, value: Buffer, flags: number): void;
  mapDelete(map: string, key: Buffer): boolean;
  mapKeys(map: string): Buffer;
  mapLookupBatch(map: string): { keys: Buffer; values: Buffer; count: number } | null;
  close(): void;
  isOpen(): boolean;
  isLoaded(): boolean;
}

/** Counters kept by the consumer thread. */
export interface NativeRingStats {
  records: number;
  bytes: number;
  batches: number;
  pendingBatches: number;
  backpressureWaits: number;
}

/** A ring buffer consumed on its own thread (src/addon/ring-buffer.cc). */
export interface NativeRingConsumer {
  stop(): void;
  stats(): NativeRingStats;
  ref(): void;
  unref(): void;
}

/** The module's exports. */
export interface NativeAddon {
  BpfObject: new (source: string | Buffer, name?: string) => NativeObject;
  RingConsumer: new (
    object: NativeObject,
    map: string,
    onBatch: (data: Buffer, offsets: Uint32Array, count: number) => void,
    options: { maxBatch?: number; flushMs?: number; maxPending?: number },
  ) => NativeRingConsumer;
  numPossibleCpus(): number;
  libbpfVersion(): string;
}

/** The error the addon throws: a plain Error with these extra fields. */
export interface NativeError extends Error {
  code: string;
  errno?: number;
  syscall?: string;
  libbpfLog?: string;
}
