/** A ring buffer consumed off the main thread, delivered to JS in batches with truthful counters. */
import type { NativeObject, NativeRingConsumer } from '../native/native-types.js';
import type { BpfMap } from './bpf-map.js';

/** A batch of raw records: record i is `data.subarray(offsets[i], offsets[i + 1])`. */
export interface RecordBatch {
  /** Concatenated record bytes. Valid only during the callback unless copied. */
  data: Buffer;
  /** `count + 1` byte offsets into `data`. */
  offsets: Uint32Array;
  /** Records in this batch. */
  count: number;
}

/** Tuning of a ring-buffer consumer. */
export interface RingBufferOptions {
  /** Records per batch handed to JS; default 4096. Fewer means lower latency, more main-thread wake-ups. */
  maxBatch?: number;
  /** Milliseconds a partial batch waits before delivery; default 20. */
  flushMs?: number;
  /** Batches JS may be behind before the consumer thread stops reading (the kernel then drops); default 8. */
  maxPending?: number;
  /** Keep the process alive while consuming; default true. */
  ref?: boolean;
}

/** Counters of a ring-buffer consumer. */
export interface RingBufferStats {
  /** Records read from the kernel ring. */
  records: number;
  /** Bytes of record payload read. */
  bytes: number;
  /** Batches handed to JS. */
  batches: number;
  /** Batches handed to JS and not yet processed. */
  pendingBatches: number;
  /** Times the consumer thread waited because JS was `maxPending` batches behind. */
  backpressureWaits: number;
  /** Records the BPF programs could not reserve because the ring was full (from the `drops` map), or null when the object has none. */
  kernelDrops: number | null;
}

/**
 * Consumes one BPF_MAP_TYPE_RINGBUF on a native thread. The event loop wakes once per batch.
 * Created by {@link BpfObject.consumeRingBuffer}.
 */
export class RingBuffer {
  readonly #consumer: NativeRingConsumer;
  readonly #drops: BpfMap | undefined;
  #closed = false;

  /** @internal */
  constructor(
    object: NativeObject,
    mapName: string,
    onBatch: (batch: RecordBatch) => void,
    options: RingBufferOptions,
    drops: BpfMap | undefined,
    create: (
      object: NativeObject,
      map: string,
      cb: (data: Buffer, offsets: Uint32Array, count: number) => void,
      opts: RingBufferOptions,
    ) => NativeRingConsumer,
  ) {
    this.#drops = drops;
    this.#consumer = create(
      object,
      mapName,
      (data, offsets, count) => onBatch({ data, offsets, count }),
      options,
    );
    if (options.ref === false) this.#consumer.unref();
  }

  /** Current counters; `kernelDrops` sums the per-CPU `drops` map the probe increments on a failed reserve. */
  stats(): RingBufferStats {
    let kernelDrops: number | null = null;
    if (this.#drops) {
      try {
        const lanes = this.#drops.lookupAggregated(0);
        kernelDrops = lanes ? Number(lanes[0]) : 0;
      } catch {
        // The object was closed: its maps, and with them the kernel's count, are gone.
      }
    }
    return { ...this.#consumer.stats(), kernelDrops };
  }

  /** Lets the process exit while this consumer runs. */
  unref(): void {
    this.#consumer.unref();
  }

  /** Keeps the process alive while this consumer runs (the default). */
  ref(): void {
    this.#consumer.ref();
  }

  /** Stops the thread after delivering what the kernel had already submitted. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#consumer.stop();
  }
}
