import { describe, expect, it } from 'vitest';
import type { FitProgress } from '../../src/detector/fit-options.js';
import { FitPool } from '../../src/pipeline/fit-pool.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';

// Workers run plain JavaScript: the fixture factory imports the built @vigil/core (npm test builds first).
const FACTORY = new URL('./fixtures/worker-factory.mjs', import.meta.url).href;
const MIN = 60_000;

const train = (n = 20) => ({
  timestamps: Float64Array.from({ length: n }, (_, i) => i * MIN),
  values: Float64Array.from({ length: n }, (_, i) => 10 + (i % 5)),
});
const steps = (count: number, stepMs: number) => ({
  kind: 'fixture-steps',
  options: { steps: count, stepMs },
});
const until = async (ok: () => boolean, ms = 10_000) => {
  const end = performance.now() + ms;
  while (!ok()) {
    if (performance.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
};
const code = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e) => (e as { code?: string }).code,
  );

describe('FitPool cancel and progress', () => {
  it("passes a worker fit's progress reports to onProgress, in order, the last at fraction 1", async () => {
    const pool = new FitPool({ module: FACTORY, threads: 1, timeoutMs: 30_000 });
    const seen: FitProgress[] = [];
    // Steps 60 ms apart: none is dropped by the worker's 50 ms throttle.
    const snapshot = await pool.fit(steps(5, 60), train(), { onProgress: (p) => seen.push(p) });
    expect(snapshot.kind).toBe('fixture-mean');
    expect(seen.map((p) => p.done)).toEqual([1, 2, 3, 4, 5]);
    expect(seen.every((p) => p.kind === 'fixture-steps' && p.total === 5)).toBe(true);
    expect(seen.at(-1)?.fraction).toBe(1);
    await pool.close();
  });

  it('stops a running fit at its next check: the fit rejects ABORTED and its thread, not terminated, takes the next fit', async () => {
    const pool = new FitPool({ module: FACTORY, threads: 1, timeoutMs: 30_000 });
    const controller = new AbortController();
    const seen: number[] = [];
    // 200 steps of 20 ms: 4 s, unless stopped.
    const long = pool.fit(steps(200, 20), train(), {
      signal: controller.signal,
      onProgress: (p) => seen.push(p.done),
    });
    await until(() => seen.length > 0);
    controller.abort(new Error('operator said stop'));
    const err = await long.catch((e) => e);
    expect(err).toMatchObject({ code: 'ABORTED', name: 'AbortError' });
    expect(String(err.cause)).toContain('operator said stop');
    const heard = seen.length;
    const next = await pool.fit({ kind: 'fixture-mean' }, train());
    expect(next.kind).toBe('fixture-mean');
    // The worker stopped by itself (its thread was not terminated) and no report of the stopped fit came after.
    expect(pool.terminated).toBe(0);
    expect(pool.threads).toBe(1);
    expect(seen.length).toBe(heard);
    expect(Math.max(...seen)).toBeLessThan(200);
    await pool.close();
  });

  it('takes a cancelled fit out of the queue: it never runs, the others do', async () => {
    const pool = new FitPool({ module: FACTORY, threads: 1, timeoutMs: 30_000 });
    const controller = new AbortController();
    const ran: string[] = [];
    const first = pool.fit(steps(3, 30), train(), { onProgress: () => ran.push('first') });
    const queued = pool.fit(steps(3, 30), train(), {
      signal: controller.signal,
      onProgress: () => ran.push('queued'),
    });
    const third = pool.fit(steps(3, 30), train(), { onProgress: () => ran.push('third') });
    expect(pool.queued).toBe(3);
    controller.abort();
    expect(pool.queued).toBe(2);
    expect(await code(queued)).toBe('ABORTED');
    expect(await code(first)).toBe('resolved');
    expect(await code(third)).toBe('resolved');
    expect(ran).not.toContain('queued');
    expect(ran).toContain('third');
    await pool.close();
  });

  it('terminates the thread of a fit that ignores the cancel, after a grace, and goes on with a fresh thread', async () => {
    const pool = new FitPool({ module: FACTORY, threads: 1, timeoutMs: 30_000 });
    const controller = new AbortController();
    const spin = pool.fit({ kind: 'fixture-spin' }, train(), { signal: controller.signal });
    await until(() => pool.running === 1);
    controller.abort();
    expect(await code(spin)).toBe('ABORTED');
    await until(() => pool.terminated === 1);
    expect((await pool.fit({ kind: 'fixture-mean' }, train())).kind).toBe('fixture-mean');
    await pool.close();
  });

  it('rejects at once with an aborted signal, and cancels a fit whose onProgress throws', async () => {
    const pool = new FitPool({ module: FACTORY, threads: 1, timeoutMs: 30_000 });
    expect(await code(pool.fit(steps(3, 10), train(), { signal: AbortSignal.abort() }))).toBe('ABORTED');
    expect(pool.queued + pool.running).toBe(0);
    const failing = pool.fit(steps(200, 20), train(), {
      onProgress: () => {
        throw new Error('listener broke');
      },
    });
    const err = await failing.catch((e) => e);
    expect(err).toMatchObject({ code: 'ABORTED' });
    expect(String(err.cause)).toContain('listener broke');
    expect((await pool.fit({ kind: 'fixture-mean' }, train())).kind).toBe('fixture-mean');
    expect(pool.terminated).toBe(0);
    await pool.close();
  });
});

describe('Pipeline fits in the pool: progress and stop', () => {
  it('reports fit progress per series and stops the fit of a series removed meanwhile', async () => {
    const progress: Array<[string, number]> = [];
    const p = new Pipeline({
      detectors: {
        module: FACTORY,
        spec: (key) => (key === 'slow' ? steps(200, 20) : steps(2, 60)),
        threads: 1,
      },
      warmup: 10,
      onFitProgress: (key, pr) => progress.push([key, pr.fraction]),
    });
    for (let i = 0; i < 10; i++) p.push('slow', i * MIN, i % 3);
    await until(() => progress.some(([k]) => k === 'slow'));
    expect(p.removeSeries('slow')).toBe(true);
    const heardSlow = progress.filter(([k]) => k === 'slow').length;
    // The removed series' fit no longer holds the only thread: the next series fits at once.
    for (let i = 0; i < 10; i++) p.push('fast', i * MIN, i % 3);
    await p.idle();
    expect(p.stats).toMatchObject({ fits: 1, fitFailures: 0 });
    expect(p.push('fast', 10 * MIN, 1)?.status).toBe('scored');
    expect(progress.filter(([k]) => k === 'fast').at(-1)).toEqual(['fast', 1]);
    expect(progress.filter(([k]) => k === 'slow').length).toBe(heardSlow);
    await p.close();
  });
});
