import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import type { FitProgress } from '../detector/fit-options.js';
import {
  type FitProgressMessage,
  type FitReply,
  type FitTask,
  loadFactoryModule,
  PROGRESS_INTERVAL_MS,
  type ToFitWorker,
} from './fit-messages.js';

// A fit worker of the Pipeline's pool: builds each detector from (kind, options) with the factory module named in
// workerData, fits it on the series sent, and answers with its snapshot (the transport for the fitted model).
const port = parentPort;
if (!port) throw new Error('fit-worker.js runs inside a worker thread started by the Pipeline');
const { module, niceness } = workerData as { module: string; niceness: number };
lowerPriority(niceness);
const factory = loadFactoryModule(module);
// Ready once the factory has loaded, so that fit timeouts measure fits, not thread start-up; or why it cannot load.
factory.then(
  () => port.postMessage({ ready: true }),
  (e) => port.postMessage({ ready: false, error: String((e as Error)?.message ?? e) }),
);

/** The fits under way here (one at a time from the pool, but a cancel may race its reply), by task id. */
const running = new Map<number, AbortController>();

port.on('message', (message: ToFitWorker) => {
  if ('cancel' in message) {
    running.get(message.cancel)?.abort(new Error('the fit was cancelled'));
    return;
  }
  const task = message;
  const controller = new AbortController();
  running.set(task.id, controller);
  void fit(task, controller.signal).then((reply) => {
    running.delete(task.id);
    port.postMessage(reply);
  });
});

async function fit(task: FitTask, signal: AbortSignal): Promise<FitReply> {
  try {
    const { createDetector } = await factory;
    const detector = createDetector(task.kind, task.options);
    // The Pipeline keeps the history and refits from it: the detector need not keep a copy (nor ship it back); and
    // it streams on the main thread, so whatever update can have prepared is prepared here. The detector checks the
    // signal between its steps (and yields to this thread's loop there, where a cancel message lands).
    await detector.fit(
      { timestamps: task.timestamps, values: task.values },
      {
        keepHistory: false,
        streaming: true,
        signal,
        ...(task.progress ? { onProgress: progressPoster(task.id) } : {}),
      },
    );
    return { id: task.id, snapshot: detector.toJSON() };
  } catch (e) {
    const err = e as { message?: unknown; code?: unknown };
    return {
      id: task.id,
      error: {
        message: String(err?.message ?? e),
        ...(typeof err?.code === 'string' ? { code: err.code } : {}),
      },
    };
  }
}

// Posts a fit's progress to the pool, at most every PROGRESS_INTERVAL_MS, and its last report (fraction 1) always.
function progressPoster(id: number): (progress: FitProgress) => void {
  let last = Number.NEGATIVE_INFINITY;
  return (progress) => {
    const now = performance.now();
    if (now - last < PROGRESS_INTERVAL_MS && progress.fraction < 1) return;
    last = now;
    (port as MessagePort).postMessage({ id, progress } satisfies FitProgressMessage);
  };
}

// Fits are background work: on Linux, where each thread has its own nice value, this thread (its id read from
// /proc/thread-self → <pid>/task/<tid>) yields a busy core to the event loop. Elsewhere, or where /proc is not
// mounted, the thread keeps the process's priority.
function lowerPriority(nice: number): void {
  if (!(nice > 0) || process.platform !== 'linux') return;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    // Never above the priority the process already runs at (a process started with `nice -n 15` stays at 15).
    if (Number.isInteger(tid) && tid > 0 && nice > getPriority(tid)) setPriority(tid, nice);
  } catch {
    // No /proc, or not allowed: fits run at the process's priority.
  }
}
