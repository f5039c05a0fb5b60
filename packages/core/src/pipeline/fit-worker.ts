import { parentPort, workerData } from 'node:worker_threads';
import { type FitReply, type FitTask, loadFactoryModule } from './fit-messages.js';

// A fit worker of the Pipeline's pool: builds each detector from (kind, options) with the factory module named in
// workerData, fits it on the series sent, and answers with its snapshot (the transport for the fitted model).
const port = parentPort;
if (!port) throw new Error('fit-worker.js runs inside a worker thread started by the Pipeline');
const factory = loadFactoryModule((workerData as { module: string }).module);
// Ready once the factory has loaded, so that fit timeouts measure fits, not thread start-up; or why it cannot load.
factory.then(
  () => port.postMessage({ ready: true }),
  (e) => port.postMessage({ ready: false, error: String((e as Error)?.message ?? e) }),
);

port.on('message', (task: FitTask) => {
  void (async (): Promise<FitReply> => {
    try {
      const { createDetector } = await factory;
      const detector = createDetector(task.kind, task.options);
      // The Pipeline keeps the history and refits from it: the detector need not keep a copy (nor ship it back); and
      // it streams on the main thread, so whatever update can have prepared is prepared here.
      await detector.fit(
        { timestamps: task.timestamps, values: task.values },
        { keepHistory: false, streaming: true },
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
  })().then((reply) => port.postMessage(reply));
});
