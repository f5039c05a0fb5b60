import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/math/random.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';

// Workers run plain JavaScript: the fixture factory imports the built @vigil/core (npm test builds first).
const FACTORY = new URL('./fixtures/worker-factory.mjs', import.meta.url).href;
const MIN = 60_000;

describe('Pipeline fit workers', () => {
  it('fits in worker threads and the swapped-in model scores exactly like one fitted on this thread', async () => {
    const p = new Pipeline({
      detectors: { module: FACTORY, spec: { kind: 'fixture-mean', options: { refitEvery: 50 } }, threads: 2 },
      warmup: 40,
      history: 80,
    });
    const rng = createRng(11);
    const values = Array.from({ length: 300 }, (_, i) => 10 + Math.sin(i / 7) + 0.3 * rng.normal());
    const { createDetector } = await import(FACTORY);
    let reference:
      | { fit(s: unknown): Promise<void>; update(t: number, x: number): { score: number } }
      | undefined;
    let refits = 0;
    for (let i = 0; i < values.length; i++) {
      const r = p.push('svc/m', i * MIN, values[i]);
      if (reference) {
        // Same kind, options and history, fitted here synchronously: bit-identical scores.
        expect(r?.score).toBe(reference.update(i * MIN, values[i]).score);
      }
      if (p.stats.runningFits + p.stats.queuedFits > 0) {
        await p.idle();
        const h = p.history('svc/m')!;
        reference = createDetector('fixture-mean', { refitEvery: 50 });
        await reference!.fit({
          timestamps: Float64Array.from(h.timestamps.slice(-80)),
          values: Float64Array.from(h.values.slice(-80)),
        });
        refits++;
      }
    }
    // The first fit at 40 points, then a refit each time the detector asked (every 50 points).
    expect(refits).toBe(6);
    expect(p.stats).toMatchObject({ fits: 6, fitFailures: 0, scored: 260 });
    await p.close();
  });

  it('terminates a worker whose fit never ends: idle() resolves, the timeout is counted, other series still fit', async () => {
    const p = new Pipeline({
      detectors: {
        module: FACTORY,
        spec: (key) => (key === 'stuck' ? { kind: 'fixture-spin' } : { kind: 'fixture-mean' }),
        threads: 1,
      },
      warmup: 10,
      fitTimeout: 1000,
    });
    for (let i = 0; i < 10; i++) p.push('stuck', i * MIN, i % 4);
    for (let i = 0; i < 10; i++) p.push('fine', i * MIN, i % 4);
    await p.idle();
    expect(p.stats).toMatchObject({ fits: 1, fitFailures: 1, fitTimeouts: 1 });
    expect(p.push('fine', 10 * MIN, 1)?.status).toBe('scored');
    await p.close();
  });

  it('reports itself overloaded while more fits wait than maxQueuedFits, and recovers', async () => {
    const p = new Pipeline({
      detectors: { module: FACTORY, spec: { kind: 'fixture-mean', options: { spinMs: 100 } }, threads: 1 },
      warmup: 10,
      maxQueuedFits: 1,
      maxSeriesPerMetric: 100,
    });
    // The pool starts after the factory module loads on this thread: let the first fit get there.
    for (let i = 0; i < 10; i++) p.push('a/0', i * MIN, i % 3);
    await new Promise((r) => setTimeout(r, 50));
    for (let k = 1; k < 4; k++) for (let i = 0; i < 10; i++) p.push(`a/${k}`, i * MIN, i % 3);
    await new Promise((r) => setImmediate(r));
    expect(p.stats.queuedFits).toBeGreaterThan(1);
    expect(p.overloaded).toBe(true);
    await p.idle();
    expect(p.overloaded).toBe(false);
    expect(p.stats).toMatchObject({ fits: 4, queuedFits: 0 });
    await p.close();
  });

  // Linux gives each thread its own nice value (field 19 of /proc/<pid>/task/<tid>/stat); elsewhere there is no
  // per-thread priority to check.
  it.skipIf(process.platform !== 'linux')(
    'runs fits at the niceness asked for, leaving the event loop at its own priority',
    async () => {
      const nice = (stat: string) => Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
      const niceOf = (tid: string) => {
        try {
          return nice(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8'));
        } catch {
          return Number.NaN; // the thread ended meanwhile
        }
      };
      const own = nice(readFileSync('/proc/thread-self/stat', 'utf8'));
      const niced = () => readdirSync('/proc/self/task').filter((tid) => niceOf(tid) === 13);
      expect(niced()).toEqual([]);
      const p = new Pipeline({
        detectors: {
          module: FACTORY,
          spec: { kind: 'fixture-mean', options: { spinMs: 400 } },
          threads: 1,
          niceness: 13,
        },
        warmup: 10,
      });
      for (let i = 0; i < 10; i++) p.push('a', i * MIN, i % 3);
      // The fit holds its thread for 400 ms: look for it then.
      let seen: string[] = [];
      for (let k = 0; k < 40 && seen.length === 0; k++) {
        await new Promise((r) => setTimeout(r, 25));
        seen = niced();
      }
      expect(seen).toHaveLength(1);
      expect(nice(readFileSync('/proc/thread-self/stat', 'utf8'))).toBe(own);
      await p.idle();
      expect(p.stats.fits).toBe(1);
      await p.close();
      expect(
        () => new Pipeline({ detectors: { module: FACTORY, spec: { kind: 'x' }, niceness: 20 } }),
      ).toThrow(/niceness/);
    },
  );
});
