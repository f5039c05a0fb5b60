import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DetectorSnapshot } from '../detector/detector.js';
import { VigilError } from '../errors.js';
import type { DetectorSpec, FitReply, FitTask } from './fit-messages.js';

/** Options of a {@link FitPool}. */
export interface FitPoolOptions {
  /** Module specifier or URL of the detector factory (exports `createDetector(kind, options)`). */
  readonly module: string;
  /** Worker threads, at most. */
  readonly threads: number;
  /** A fit running longer than this, ms, is abandoned and its worker terminated. */
  readonly timeoutMs: number;
}

interface Job {
  readonly task: FitTask;
  readonly transfer: ArrayBuffer[];
  readonly resolve: (s: DetectorSnapshot) => void;
  readonly reject: (e: unknown) => void;
}

interface Slot {
  readonly worker: Worker;
  /** The factory module has loaded in the thread. */
  ready: boolean;
  job: Job | undefined;
  timer: NodeJS.Timeout | undefined;
}

/**
 * A small pool of worker threads that fit detectors off the event loop: each task builds a detector from
 * `(kind, options)` with the factory module, fits it on a series and answers with its snapshot. One fit per thread at
 * a time (fits are CPU-bound), tasks queue in order, a fit past `timeoutMs` terminates its thread (a fit that never
 * ends cannot hold the pool) and a fresh thread takes the next task. Threads are unref'd: an idle pool never keeps
 * the process alive.
 *
 * @example
 * const pool = new FitPool({ module: '@vigil/detectors', threads: 2, timeoutMs: 60_000 });
 * const snapshot = await pool.fit({ kind: 'prophet' }, history);
 */
export class FitPool {
  readonly #o: FitPoolOptions;
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
  #ids = 0;
  #closed = false;
  /** Why threads cannot start (the factory module does not load there): every fit fails with it. */
  #broken: string | undefined;

  constructor(options: FitPoolOptions) {
    this.#o = options;
  }

  /** Fits waiting for a thread. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Fits running now. */
  get running(): number {
    let n = 0;
    for (const s of this.#slots) if (s.job) n++;
    return n;
  }

  /** Threads alive. */
  get threads(): number {
    return this.#slots.length;
  }

  /**
   * Fits a detector of `spec` on `train` in a worker; resolves with its snapshot.
   * @throws {VigilError} `FIT_TIMEOUT` past the timeout; the worker's fit error (message and code kept) otherwise.
   */
  fit(
    spec: DetectorSpec,
    train: { timestamps: Float64Array; values: Float64Array },
  ): Promise<DetectorSnapshot> {
    if (this.#closed) return Promise.reject(new VigilError('FIT_TIMEOUT', 'The fit pool is closed.'));
    return new Promise((resolve, reject) => {
      const task: FitTask = {
        id: ++this.#ids,
        kind: spec.kind,
        options: spec.options,
        timestamps: train.timestamps,
        values: train.values,
      };
      const transfer = [train.timestamps.buffer, train.values.buffer].filter(
        (b, i, all): b is ArrayBuffer => b instanceof ArrayBuffer && all.indexOf(b) === i,
      );
      this.#queue.push({ task, transfer, resolve, reject });
      this.#dispatch();
    });
  }

  /** Terminates every thread; queued and running fits reject. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#queue.splice(0))
      job.reject(new VigilError('FIT_TIMEOUT', 'The fit pool closed.'));
    await Promise.all(
      this.#slots.splice(0).map((s) => {
        if (s.timer) clearTimeout(s.timer);
        s.job?.reject(new VigilError('FIT_TIMEOUT', 'The fit pool closed.'));
        return s.worker.terminate();
      }),
    );
  }

  #dispatch(): void {
    if (this.#broken !== undefined) {
      for (const job of this.#queue.splice(0)) job.reject(new VigilError('FIT_FAILED', this.#broken));
      return;
    }
    while (this.#queue.length > 0) {
      const slot = this.#slots.find((s) => s.ready && !s.job);
      if (!slot) {
        // Threads still starting will take queued fits when ready; start more up to the limit.
        const starting = this.#slots.filter((s) => !s.ready).length;
        if (starting < this.#queue.length && this.#slots.length < this.#o.threads) this.#spawn();
        return;
      }
      const job = this.#queue.shift() as Job;
      slot.job = job;
      const s = slot;
      s.timer = setTimeout(() => this.#timeout(s), this.#o.timeoutMs);
      s.timer.unref();
      s.worker.ref();
      s.worker.postMessage(job.task, job.transfer);
    }
  }

  #spawn(): Slot {
    const worker = new Worker(fitWorkerUrl(), { workerData: { module: this.#o.module } });
    worker.unref();
    const slot: Slot = { worker, ready: false, job: undefined, timer: undefined };
    worker.on('message', (reply: FitReply | { ready: boolean; error?: string }) => {
      if ('ready' in reply) {
        if (reply.ready) slot.ready = true;
        else this.#broken = `The fit workers cannot load the detector module: ${reply.error}`;
        this.#dispatch();
        return;
      }
      const job = slot.job;
      if (!job || job.task.id !== reply.id) return;
      this.#finish(slot);
      if ('snapshot' in reply) job.resolve(reply.snapshot);
      else job.reject(new VigilError(reply.error.code ?? 'FIT_FAILED', reply.error.message));
    });
    const lost = (why: string) => {
      const i = this.#slots.indexOf(slot);
      if (i < 0) return;
      this.#slots.splice(i, 1);
      if (slot.timer) clearTimeout(slot.timer);
      slot.job?.reject(new VigilError('FIT_FAILED', `The fit worker ${why}.`));
      slot.job = undefined;
      this.#dispatch();
    };
    worker.on('error', (e) => lost(`failed: ${String(e?.message ?? e)}`));
    worker.on('exit', (code) => lost(`exited with code ${code}`));
    this.#slots.push(slot);
    return slot;
  }

  #finish(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.job = undefined;
    slot.worker.unref();
    this.#dispatch();
  }

  #timeout(slot: Slot): void {
    const job = slot.job;
    const i = this.#slots.indexOf(slot);
    if (i >= 0) this.#slots.splice(i, 1);
    slot.job = undefined;
    void slot.worker.terminate();
    job?.reject(
      new VigilError(
        'FIT_TIMEOUT',
        `A '${job.task.kind}' fit ran longer than ${this.#o.timeoutMs} ms and was abandoned; raise fitTimeout or fit on less history.`,
      ),
    );
    this.#dispatch();
  }
}

/**
 * The worker script: `fit-worker.js` beside the built bundle (dist/), or, when this module runs from its sources
 * (tests), the built one in ../../dist.
 */
function fitWorkerUrl(): URL {
  const beside = new URL('./fit-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(beside))) return beside;
  return new URL('../../dist/fit-worker.js', import.meta.url);
}
