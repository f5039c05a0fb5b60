/** Typed access to one map of a loaded object: lookup, update, delete, iterate, batch read, per-CPU values. */
import { requireInput } from '../errors.js';
import type { MapInfo, NativeObject } from '../native/native-types.js';
import { native } from './classify-error.js';
import { aggregatePerCpuU64, type LaneReduction, splitPerCpu } from './per-cpu.js';

const PER_CPU_TYPES = new Set(['percpu_hash', 'percpu_array', 'lru_percpu_hash', 'percpu_cgroup_storage']);

/** How an update treats an existing key: any (create or replace), noexist (create only), exist (replace only). */
export type MapUpdateMode = 'any' | 'noexist' | 'exist';
const UPDATE_FLAGS: Record<MapUpdateMode, number> = { any: 0, noexist: 1, exist: 2 };

/** A whole map read at once by {@link BpfMap.readAll}. */
export interface MapContents {
  /** `count` keys back to back. */
  keys: Buffer;
  /** `count` values back to back, `valueStride` bytes each. */
  values: Buffer;
  count: number;
  /** Bytes per value: the value size, or every CPU's slot for per-CPU maps. */
  valueStride: number;
  /** Bytes per CPU inside a per-CPU value (the value size rounded up to 8). */
  perCpuStride: number;
}

/**
 * One map of a loaded {@link BpfObject}. Keys and values are raw bytes laid out as the BPF program
 * declares them; per-CPU maps return one value per possible CPU, or an aggregate.
 */
export class BpfMap {
  readonly #object: NativeObject;
  readonly #cpus: number;
  /** Map name as declared in the BPF source. */
  readonly name: string;
  /** Kernel map type, e.g. `hash`, `percpu_array`, `ringbuf`. */
  readonly type: string;
  /** Key size in bytes. */
  readonly keySize: number;
  /** Value size in bytes (of one CPU's value for per-CPU maps). */
  readonly valueSize: number;
  /** Capacity in entries (bytes for ring buffers). */
  readonly maxEntries: number;
  /** Whether lookups return one value per CPU. */
  readonly perCpu: boolean;

  /** @internal */
  constructor(object: NativeObject, info: MapInfo, cpus: number) {
    this.#object = object;
    this.#cpus = cpus;
    this.name = info.name;
    this.type = info.type;
    this.keySize = info.keySize;
    this.valueSize = info.valueSize;
    this.maxEntries = info.maxEntries;
    this.perCpu = PER_CPU_TYPES.has(info.type);
  }

  #key(key: Uint8Array | number): Buffer {
    if (typeof key === 'number') {
      requireInput(
        this.keySize === 4,
        'key',
        `is a number but map '${this.name}' has ${this.keySize}-byte keys`,
        'pass the key as a Buffer.',
      );
      requireInput(
        Number.isInteger(key) && key >= 0 && key <= 0xffffffff,
        'key',
        'must be a u32',
        'pass 0..2^32-1.',
      );
      const b = Buffer.alloc(4);
      b.writeUInt32LE(key);
      return b;
    }
    requireInput(
      key.byteLength === this.keySize,
      'key',
      `must be ${this.keySize} bytes for map '${this.name}', got ${key.byteLength}`,
      'lay the key out as the BPF program declares it.',
    );
    return Buffer.from(key.buffer, key.byteOffset, key.byteLength);
  }

  /**
   * The raw value for `key` (a u32 number for 4-byte keys), or undefined when absent. For per-CPU maps this
   * is every CPU's 8-byte-aligned slot back to back; {@link lookupPerCpu} splits it.
   */
  lookup(key: Uint8Array | number): Buffer | undefined {
    const k = this.#key(key);
    return native(`lookup in map '${this.name}'`, () => this.#object.mapLookup(this.name, k)) ?? undefined;
  }

  /** One value per possible CPU for a per-CPU map, or undefined when absent. */
  lookupPerCpu(key: Uint8Array | number): Buffer[] | undefined {
    requireInput(this.perCpu, 'map', `'${this.name}' is not a per-CPU map`, 'use lookup().');
    const raw = this.lookup(key);
    return raw ? splitPerCpu(raw, this.valueSize, this.#cpus) : undefined;
  }

  /**
   * A per-CPU value whose layout is u64 lanes, combined across CPUs lane by lane.
   *
   * @example
   * const [count, totalNs, maxNs] = stats.lookupAggregated(key, ['sum', 'sum', 'max']) ?? [];
   */
  lookupAggregated(
    key: Uint8Array | number,
    reductions: readonly LaneReduction[] = [],
  ): bigint[] | undefined {
    const perCpu = this.lookupPerCpu(key);
    return perCpu ? aggregatePerCpuU64(perCpu, reductions) : undefined;
  }

  /** Creates or replaces the value for `key` (per-CPU maps take one slot per CPU, 8-byte aligned). */
  update(key: Uint8Array | number, value: Uint8Array, mode: MapUpdateMode = 'any'): void {
    const k = this.#key(key);
    const v = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    native(`update in map '${this.name}'`, () => this.#object.mapUpdate(this.name, k, v, UPDATE_FLAGS[mode]));
  }

  /** Deletes `key`; returns whether it existed. */
  delete(key: Uint8Array | number): boolean {
    const k = this.#key(key);
    return native(`delete in map '${this.name}'`, () => this.#object.mapDelete(this.name, k));
  }

  /** Every key, in the kernel's iteration order. */
  keys(): Buffer[] {
    const all = native(`iterate map '${this.name}'`, () => this.#object.mapKeys(this.name));
    const out: Buffer[] = [];
    for (let off = 0; off + this.keySize <= all.length; off += this.keySize) {
      out.push(all.subarray(off, off + this.keySize));
    }
    return out;
  }

  /**
   * Every entry as [key, value], read with one BPF_MAP_LOOKUP_BATCH pass where the kernel supports it for
   * this map type and key by key otherwise. Per-CPU values are the raw per-CPU slots; see {@link splitPerCpu}.
   */
  entries(): Array<[Buffer, Buffer]> {
    const all = this.readAll();
    const out: Array<[Buffer, Buffer]> = [];
    for (let i = 0; i < all.count; i++) {
      out.push([
        all.keys.subarray(i * this.keySize, (i + 1) * this.keySize),
        all.values.subarray(i * all.valueStride, (i + 1) * all.valueStride),
      ]);
    }
    return out;
  }

  /**
   * Every entry, back to back in two buffers (entry i's key at `i * keySize`, its value at `i * valueStride`),
   * without a Buffer per entry: for snapshots read every second, where per-entry objects would be most of the
   * cost. One BPF_MAP_LOOKUP_BATCH pass where the kernel supports it for this map type, key by key otherwise.
   * A per-CPU value is every CPU's 8-byte-aligned slot in turn (`perCpuStride` bytes each).
   */
  readAll(): MapContents {
    const perCpuStride = Math.ceil(this.valueSize / 8) * 8;
    const valueStride = this.perCpu ? perCpuStride * this.#cpus : this.valueSize;
    const batch = native(`batch read of map '${this.name}'`, () => this.#object.mapLookupBatch(this.name));
    if (batch) return { ...batch, valueStride, perCpuStride };
    const keys = this.keys();
    const values: Buffer[] = [];
    const found: Buffer[] = [];
    for (const key of keys) {
      const value = this.lookup(key);
      if (!value) continue; // deleted since listed
      found.push(key);
      values.push(value);
    }
    return {
      keys: Buffer.concat(found),
      values: Buffer.concat(values),
      count: found.length,
      valueStride,
      perCpuStride,
    };
  }

  /** Splits a raw per-CPU value from {@link entries} into one view per CPU. */
  splitPerCpu(raw: Uint8Array): Buffer[] {
    return splitPerCpu(raw, this.valueSize, this.#cpus);
  }

  /** Deletes every entry (maps whose entries cannot be deleted, such as arrays, are zeroed instead). */
  clear(): void {
    const zero = Buffer.alloc(this.perCpu ? Math.ceil(this.valueSize / 8) * 8 * this.#cpus : this.valueSize);
    const arrayLike = this.type === 'array' || this.type === 'percpu_array';
    for (const key of this.keys()) {
      if (arrayLike) this.update(key, zero);
      else this.delete(key);
    }
  }
}
