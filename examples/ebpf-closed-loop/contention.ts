import { Worker } from 'node:worker_threads';

/** Keeps `threads` worker threads spinning for `ms` milliseconds: more runnable threads than CPUs. */
export function contend(threads: number, ms: number): Promise<void> {
  const code = `const end = Date.now() + ${ms}; let x = 0; while (Date.now() < end) x += Math.sqrt(x + 1);`;
  const workers = Array.from({ length: threads }, () => new Worker(code, { eval: true }));
  return Promise.all(workers.map((w) => new Promise<void>((resolve) => w.on('exit', () => resolve())))).then(
    () => {},
  );
}
