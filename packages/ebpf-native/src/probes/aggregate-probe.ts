/** The handle of probes that aggregate in the kernel: periodic snapshots, series, async iteration. */
import type { BatchObservableResult, Meter, Observable } from '@opentelemetry/api';
import { requireInput } from '../errors.js';
import type { BpfObject } from '../object/bpf-object.js';
import { closedByOwner, closeWhenCollected } from './close-when-collected.js';
import { onEveryInterval } from './ticker.js';

/** A Vigil series: `timestamps` in Unix epoch ms, `values` aligned with them (core's `Series` shape). */
export interface Series {
  timestamps: Float64Array;
  values: Float64Array;
}

/** Options every aggregating probe accepts. */
export interface AggregateProbeOptions {
  /** Milliseconds between snapshots for iteration and series; default 1000. */
  intervalMs?: number;
  /** Snapshots kept for `series()`; default 3600. */
  maxHistory?: number;
}

/**
 * Checks the options every aggregating probe takes; called before anything is loaded.
 *
 * @throws {VigilEbpfError} `EBPF_INPUT` naming the option.
 */
export function validateAggregateOptions(options: AggregateProbeOptions): void {
  const intervalMs = options.intervalMs ?? 1000;
  requireInput(
    Number.isFinite(intervalMs) && intervalMs >= 10,
    'intervalMs',
    'must be at least 10',
    'pass e.g. 1000.',
  );
  const maxHistory = options.maxHistory ?? 3600;
  requireInput(
    Number.isInteger(maxHistory) && maxHistory >= 1,
    'maxHistory',
    'must be a positive integer',
    'pass e.g. 3600.',
  );
}

/**
 * A running probe whose kernel side keeps counters or histograms: `read()` returns the cumulative state
 * now; every `intervalMs` a snapshot is taken for `series()` and `for await`.
 */
export class AggregateProbe<S extends { time: number }> implements AsyncIterable<S> {
  readonly #object: BpfObject;
  readonly #snapshot: () => S;
  readonly #maxHistory: number;
  readonly #stopTicking: () => void;
  #history: S[] = [];
  #waiters: Array<() => void> = [];
  #closed = false;

  /** @internal */
  constructor(object: BpfObject, snapshot: () => S, options: AggregateProbeOptions) {
    validateAggregateOptions(options);
    this.#object = object;
    this.#snapshot = snapshot;
    this.#maxHistory = options.maxHistory ?? 3600;
    this.#history.push(snapshot());
    // The timer (shared by every probe of this interval) reaches the probe only weakly, so a dropped probe can be
    // collected (and closed).
    const self = new WeakRef(this);
    const stopTicking = onEveryInterval(options.intervalMs ?? 1000, () => {
      const probe = self.deref();
      if (probe) probe.#tick();
    });
    this.#stopTicking = stopTicking;
    closeWhenCollected(this, () => {
      stopTicking();
      object.close();
    });
  }

  #tick(): void {
    if (this.#closed) return;
    this.#history.push(this.#snapshot());
    if (this.#history.length > this.#maxHistory) this.#history.shift();
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  /** The cumulative state since the probe started. */
  read(): S {
    return this.#snapshot();
  }

  /** Snapshots taken so far, oldest first (the first at start). */
  get history(): readonly S[] {
    return this.#history;
  }

  /**
   * A series from consecutive snapshots: `value(current, previous)` per interval, timestamped at the
   * interval's end.
   */
  seriesOf(value: (current: S, previous: S) => number): Series {
    const n = Math.max(0, this.#history.length - 1);
    const timestamps = new Float64Array(n);
    const values = new Float64Array(n);
    for (let i = 1; i <= n; i++) {
      timestamps[i - 1] = this.#history[i].time;
      values[i - 1] = value(this.#history[i], this.#history[i - 1]);
    }
    return { timestamps, values };
  }

  /**
   * Reports the current snapshot to OpenTelemetry at every collection through `instruments` (observable
   * instruments of `meter`); after `close()` it reports nothing.
   */
  observeWith(
    meter: Meter,
    instruments: Observable[],
    report: (result: BatchObservableResult, snapshot: S) => void,
  ): void {
    const self = new WeakRef(this);
    meter.addBatchObservableCallback((result) => {
      const probe = self.deref();
      if (probe && !probe.#closed) report(result, probe.#snapshot());
    }, instruments);
  }

  /** Yields each new snapshot until `close()`. */
  async *[Symbol.asyncIterator](): AsyncIterator<S> {
    while (!this.#closed) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
      if (this.#closed) return;
      yield this.#history[this.#history.length - 1];
    }
  }

  /** The underlying object, for advanced use. */
  get object(): BpfObject {
    return this.#object;
  }

  /** Detaches the probe; history stays readable. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closedByOwner(this);
    this.#stopTicking();
    this.#object.close();
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
