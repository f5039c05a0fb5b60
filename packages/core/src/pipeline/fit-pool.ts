import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DetectorSnapshot } from '../detector/detector.js';
import type { FitOptions } from '../detector/fit-options.js';
import { VigilAbortError, VigilError } from '../errors.js';
import type { DetectorSpec, FitProgressMessage, FitReply, FitTask, ToFitWorker } from './fit-messages.js';

/**
 * How long, ms, a cancelled fit may take to reach its next check and stop before its thread is terminated (a fit
 * that never checks its signal — a single long synchronous step — cannot hold a thread past this).
 */
const CANCEL_GRACE_MS = 1000;

/** Options of a {@link FitPool}. */
export interface FitPoolOptions {
  /** Module specifier or URL of the detector factory (exports `createDetector(kind, options)`). */
  readonly module: string;
  /** Worker threads, at most. */
  readonly threads: number;
  /** A fit running longer than this, ms, is abandoned and its worker terminated. */
  readonly timeoutMs: number;
  /** Unix nice value (0–19) of the threads, applied on Linux (see `PipelineDetectors.niceness`). Default 0. */
  readonly niceness?: number;
}

interface Job {
  readonly task: FitTask;
  readonly transfer: ArrayBuffer[];
  readonly resolve: (s: DetectorSnapshot) => void;
  readonly reject: (e: unknown) => void;
  readonly onProgress: FitOptions['onProgress'];
  /** Removes the abort listener (once the job has settled). */
  readonly release: () => void;
  /** Settled: resolved, rejected, or cancelled (a late reply of the worker is then ignored). */
  done: boolean;
}

interface Slot {
  readonly worker: Worker;
  /** The factory module has loaded in the thread. */
  ready: boolean;
  job: Job | undefined;
  timer: NodeJS.Timeout | undefined;
}

function settle(job: Job, outcome: { snapshot: DetectorSnapshot } | { error: unknown }): void {
  if (job.done) return;
  job.done = true;
  job.release();
  if ('snapshot' in outcome) job.resolve(outcome.snapshot);
  else job.reject(outcome.error);
}

/**
 * A small pool of worker threads that fit detectors off the event loop: each task builds a detector from
 * `(kind, options)` with the factory module, fits it on a series and answers with its snapshot. One fit per thread at
 * a time (fits are CPU-bound), tasks queue in order, a fit past `timeoutMs` terminates its thread (a fit that never
 * ends cannot hold the pool) and a fresh thread takes the next task. Threads are unref'd: an idle pool never keeps
 * the process alive. A fit follows the `FitOptions` contract: `signal` stops it (a queued fit leaves the queue; a
 * running one is told to stop at its next check, and its thread is terminated if it has not within a second) and
 * `onProgress` hears the detector's own reports from the thread.
 *
 * @example
 * const pool = new FitPool({ module: '@vigil/detectors', threads: 2, timeoutMs: 60_000 });
 * const snapshot = await pool.fit({ kind: 'prophet' }, history, { onProgress: (p) => console.log(p.message) });
 */
export class FitPool {
  readonly #o: FitPoolOptions;
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
  #ids = 0;
  #closed = false;
  #terminated = 0;
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

  /** Threads terminated so far: fits past the timeout, and cancelled fits that did not stop within a second. */
  get terminated(): number {
    return this.#terminated;
  }

  /**
   * Fits a detector of `spec` on `train` in a worker; resolves with its snapshot. `options.signal` and
   * `options.onProgress` work as for `detector.fit` (an exception thrown by `onProgress` cancels the fit).
   * @throws {VigilError} `FIT_TIMEOUT` past the timeout; {@link VigilAbortError} `ABORTED` when the signal fired; the
   *   worker's fit error (message and code kept) otherwise.
   */
  fit(
    spec: DetectorSpec,
    train: { timestamps: Float64Array; values: Float64Array },
    options: Pick<FitOptions, 'signal' | 'onProgress'> = {},
  ): Promise<DetectorSnapshot> {
    if (this.#closed) return Promise.reject(new VigilError('FIT_TIMEOUT', 'The fit pool is closed.'));
    const { signal, onProgress } = options;
    if (signal?.aborted) return Promise.reject(aborted(spec.kind, signal.reason));
    return new Promise((resolve, reject) => {
      const task: FitTask = {
        id: ++this.#ids,
        kind: spec.kind,
        options: spec.options,
        timestamps: train.timestamps,
        values: train.values,
        progress: typeof onProgress === 'function',
      };
      const transfer = [train.timestamps.buffer, train.values.buffer].filter(
        (b, i, all): b is ArrayBuffer => b instanceof ArrayBuffer && all.indexOf(b) === i,
      );
      const onAbort = () => this.#cancel(job, aborted(spec.kind, signal?.reason));
      const job: Job = {
        task,
        transfer,
        resolve,
        reject,
        onProgress,
        release: () => signal?.removeEventListener('abort', onAbort),
        done: false,
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(job);
      this.#dispatch();
    });
  }

  /** Terminates every thread; queued and running fits reject. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#queue.splice(0))
      settle(job, { error: new VigilError('FIT_TIMEOUT', 'The fit pool closed.') });
    await Promise.all(
      this.#slots.splice(0).map((s) => {
        if (s.timer) clearTimeout(s.timer);
        if (s.job) settle(s.job, { error: new VigilError('FIT_TIMEOUT', 'The fit pool closed.') });
        return s.worker.terminate();
      }),
    );
  }

  // A queued fit leaves the queue; a running one is told to stop, and its thread is terminated if it has not answered
  // within CANCEL_GRACE_MS (its answer then frees the thread for the next fit).
  #cancel(job: Job, error: VigilError): void {
    if (job.done) return;
    settle(job, { error });
    const queued = this.#queue.indexOf(job);
    if (queued >= 0) {
      this.#queue.splice(queued, 1);
      return;
    }
    const slot = this.#slots.find((s) => s.job === job);
    if (!slot) return;
    slot.worker.postMessage({ cancel: job.task.id } satisfies ToFitWorker);
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = setTimeout(() => this.#kill(slot), CANCEL_GRACE_MS);
    slot.timer.unref();
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
      s.worker.postMessage(job.task satisfies ToFitWorker, job.transfer);
    }
  }

  #spawn(): Slot {
    const worker = new Worker(fitWorkerUrl(), {
      workerData: { module: this.#o.module, niceness: this.#o.niceness ?? 0 },
    });
    worker.unref();
    const slot: Slot = { worker, ready: false, job: undefined, timer: undefined };
    worker.on('message', (reply: FitReply | FitProgressMessage | { ready: boolean; error?: string }) => {
      if ('ready' in reply) {
        if (reply.ready) slot.ready = true;
        else this.#broken = `The fit workers cannot load the detector module: ${reply.error}`;
        this.#dispatch();
        return;
      }
      const job = slot.job;
      if (!job || job.task.id !== reply.id) return;
      if ('progress' in reply) {
        if (!job.done) this.#progress(job, reply);
        return;
      }
      this.#finish(slot);
      if ('snapshot' in reply) settle(job, { snapshot: reply.snapshot });
      else settle(job, { error: new VigilError(reply.error.code ?? 'FIT_FAILED', reply.error.message) });
    });
    const lost = (why: string) => {
      const i = this.#slots.indexOf(slot);
      if (i < 0) return;
      this.#slots.splice(i, 1);
      if (slot.timer) clearTimeout(slot.timer);
      if (slot.job) settle(slot.job, { error: new VigilError('FIT_FAILED', `The fit worker ${why}.`) });
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

  #progress(job: Job, message: FitProgressMessage): void {
    try {
      job.onProgress?.(message.progress);
    } catch (e) {
      // The FitOptions contract: an exception thrown by onProgress aborts the fit.
      this.#cancel(job, aborted(job.task.kind, e));
    }
  }

  #timeout(slot: Slot): void {
    const job = slot.job;
    this.#kill(slot);
    if (job) {
      settle(job, {
        error: new VigilError(
          'FIT_TIMEOUT',
          `A '${job.task.kind}' fit ran longer than ${this.#o.timeoutMs} ms and was abandoned; raise fitTimeout or fit on less history.`,
        ),
      });
    }
  }

  // Terminates a slot's thread (a fresh one takes the next fit).
  #kill(slot: Slot): void {
    const i = this.#slots.indexOf(slot);
    if (i >= 0) this.#slots.splice(i, 1);
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.job = undefined;
    this.#terminated++;
    void slot.worker.terminate();
    this.#dispatch();
  }
}

function aborted(kind: string, reason: unknown): VigilAbortError {
  return new VigilAbortError(`The '${kind}' fit in the worker pool was aborted.`, reason);
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
