/** The handle every event probe returns: batched delivery, a bounded buffer, async iteration, counters. */
import { assertEbpfUsable } from '../environment.js';
import { requireInput } from '../errors.js';
import { bpfObjectPath } from '../native/package-paths.js';
import { BpfObject } from '../object/bpf-object.js';
import type { RecordBatch, RingBuffer, RingBufferOptions } from '../object/ring-buffer.js';
import { closedByOwner, closeWhenCollected } from './close-when-collected.js';

/**
 * How a probe turns ring-buffer records into events: one record → at most one event, or (`batch`) a
 * whole batch → any number of events, for probes whose events span records (request tracing).
 */
export type EventDecoder<T> =
  | ((data: Buffer, start: number, end: number) => T | undefined)
  | { batch: (batch: RecordBatch) => T[] };

/** Options every event probe accepts. */
export interface EventProbeOptions {
  /** Kernel ring buffer size in bytes, a power of two ≥ 4096; default 1 MiB. */
  ringBytes?: number;
  /** Events kept for `read()`/iteration before the oldest are dropped (and counted); default 65536. */
  maxBuffered?: number;
  /** Batching of the ring-buffer consumer. */
  batching?: Omit<RingBufferOptions, 'ref'>;
  /** Keep the process alive while the probe is open; default false, so a forgotten probe never blocks exit. */
  ref?: boolean;
}

/** Counters of an event probe; `received + kernelDrops` is every event the kernel produced. */
export interface EventProbeStats {
  /** Events delivered to JS. */
  received: number;
  /** Events the kernel could not queue because the ring buffer was full. */
  kernelDrops: number;
  /** Events delivered but discarded because nobody read them before `maxBuffered` was reached. */
  bufferDrops: number;
  /** Batches delivered (main-thread wake-ups). */
  batches: number;
  /** Bytes of the kernel's records read from the ring (what the probe copied to user space). */
  bytes: number;
}

/**
 * A running probe that emits events: `read()` drains what arrived, `for await` waits for more, listeners
 * see every batch, and `close()` detaches everything (as does garbage collection of a dropped probe).
 */
export class EventProbe<T> implements AsyncIterable<T> {
  readonly #object: BpfObject;
  readonly #ring: RingBuffer;
  readonly #maxBuffered: number;
  #buffer: T[] = [];
  #listeners: Array<(events: readonly T[]) => void> = [];
  #waiters: Array<() => void> = [];
  #received = 0;
  #bufferDrops = 0;
  #batches = 0;
  #closed = false;
  #finalKernelDrops = 0;
  #finalBytes = 0;

  /** @internal */
  constructor(object: BpfObject, decode: EventDecoder<T>, options: EventProbeOptions) {
    this.#object = object;
    this.#maxBuffered = options.maxBuffered ?? 65536;
    const decodeBatch =
      typeof decode === 'function'
        ? ({ data, offsets, count }: RecordBatch): T[] => {
            const events: T[] = [];
            for (let i = 0; i < count; i++) {
              const e = decode(data, offsets[i], offsets[i + 1]);
              if (e !== undefined) events.push(e);
            }
            return events;
          }
        : decode.batch;
    const self = new WeakRef(this);
    this.#ring = object.consumeRingBuffer(
      'events',
      (batch) => {
        const probe = self.deref();
        if (probe) probe.#deliver(decodeBatch(batch));
      },
      { ...options.batching, ref: options.ref ?? false },
    );
    closeWhenCollected(this, () => object.close());
  }

  #deliver(events: T[]): void {
    this.#batches++;
    this.#received += events.length;
    for (const listener of this.#listeners) {
      try {
        listener(events);
      } catch (error) {
        // A failing listener must not stop delivery to the others; surface it as an uncaught error.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
    this.#push(events);
  }

  #push(events: readonly T[]): void {
    for (const e of events) this.#buffer.push(e);
    const excess = this.#buffer.length - this.#maxBuffered;
    if (excess > 0) {
      this.#buffer.splice(0, excess);
      this.#bufferDrops += excess;
    }
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  /** Calls `listener` with every batch of events as it arrives (before they are buffered for `read()`). */
  onEvents(listener: (events: readonly T[]) => void): () => void {
    this.#listeners.push(listener);
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  /** Returns and removes every buffered event. */
  read(): T[] {
    const out = this.#buffer;
    this.#buffer = [];
    return out;
  }

  /** Resolves with the first buffered event matching `predicate`, waiting up to `timeoutMs` (default 5000). */
  async waitFor(predicate: (event: T) => boolean, timeoutMs = 5000): Promise<T | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.#buffer.findIndex(predicate);
      if (i >= 0) return this.#buffer.splice(i, 1)[0];
      const left = deadline - Date.now();
      if (left <= 0 || this.#closed) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Yields events as they arrive until `close()`. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      while (this.#buffer.length > 0) yield this.#buffer.shift() as T;
      if (this.#closed) return;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Current counters. */
  stats(): EventProbeStats {
    const ring = this.#closed ? undefined : this.#ring.stats();
    const kernelDrops = ring ? (ring.kernelDrops ?? 0) : this.#finalKernelDrops;
    const bytes = ring ? ring.bytes : this.#finalBytes;
    return {
      received: this.#received,
      kernelDrops,
      bufferDrops: this.#bufferDrops,
      batches: this.#batches,
      bytes,
    };
  }

  /** The underlying object, for advanced use (extra maps, more attachments). */
  get object(): BpfObject {
    return this.#object;
  }

  /** Detaches the probe and stops delivery; buffered events stay readable. Idempotent. */
  close(): void {
    if (this.#closed) return;
    const ring = this.#ring.stats();
    this.#finalKernelDrops = ring.kernelDrops ?? 0;
    this.#finalBytes = ring.bytes;
    this.#closed = true;
    closedByOwner(this);
    this.#object.close();
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}

/** A program of a built-in probe and whether the probe can run without it. */
export interface ProbeProgram {
  name: string;
  /** When true, a kernel without this hook skips it instead of failing (e.g. `open` on arm64). */
  optional?: boolean;
  /** How to attach it when its section names no target (perf events); default `object.attach(name)`. */
  attach?: (object: BpfObject) => void;
}

/**
 * Checks the options every probe takes, then opens, configures, loads and attaches a built-in probe
 * object; on any failure closes it, so nothing stays attached.
 */
export function startProbe(
  probe: string,
  programs: readonly ProbeProgram[],
  options: { ringBytes?: number; maxBuffered?: number },
  configure?: (object: BpfObject) => void,
  afterLoad?: (object: BpfObject) => void,
): { object: BpfObject; skipped: string[] } {
  const ringBytes = options.ringBytes ?? 1 << 20;
  requireInput(
    Number.isInteger(ringBytes) && ringBytes >= 4096 && (ringBytes & (ringBytes - 1)) === 0,
    'ringBytes',
    'must be a power of two of at least 4096',
    'pass e.g. 1 << 20 (1 MiB).',
  );
  const maxBuffered = options.maxBuffered ?? 65536;
  requireInput(
    Number.isInteger(maxBuffered) && maxBuffered >= 0,
    'maxBuffered',
    'must be a non-negative integer',
    'pass e.g. 65536.',
  );
  assertEbpfUsable();
  const object = BpfObject.open(bpfObjectPath(probe), { name: probe.replace(/-/g, '_') });
  const skipped: string[] = [];
  try {
    if (object.maps.some((m) => m.name === 'events')) object.resizeMap('events', ringBytes);
    configure?.(object);
    object.load();
    afterLoad?.(object);
    for (const program of programs) {
      try {
        if (program.attach) program.attach(object);
        else object.attach(program.name);
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (program.optional && (code === 'EBPF_TRACEPOINT_MISSING' || code === 'EBPF_FEATURE_MISSING')) {
          skipped.push(program.name);
          continue;
        }
        throw e;
      }
    }
    return { object, skipped };
  } catch (e) {
    object.close();
    throw e;
  }
}
