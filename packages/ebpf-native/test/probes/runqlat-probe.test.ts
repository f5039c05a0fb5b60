import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { afterEach, expect, it } from 'vitest';
import {
  addToSlot,
  countAtLeast,
  emptyLog2Histogram,
  type Log2Histogram,
} from '../../src/probes/log2-histogram.js';
import { type RunQueueProbe, watchRunQueueLatency } from '../../src/probes/runqlat-probe.js';
import { describeEbpf } from '../helpers/require-ebpf.js';

let probe: RunQueueProbe | undefined;
afterEach(() => probe?.close());

function busyWorkers(n: number, ms: number): Promise<number[]> {
  const spin = `const end = Date.now() + ${ms}; let x = 0; while (Date.now() < end) x++;`;
  const children = Array.from({ length: n }, () =>
    spawn(process.execPath, ['-e', spin], { stdio: 'ignore' }),
  );
  return Promise.all(
    children.map((c) => new Promise<number>((resolve) => c.on('exit', () => resolve(c.pid ?? -1)))),
  );
}

describeEbpf('watchRunQueueLatency', () => {
  it('sees busy workers contending for the CPUs wait milliseconds in the run queue', async () => {
    probe = watchRunQueueLatency({ intervalMs: 200 });
    // Twice as many spinning processes as CPUs: each waits about as long as it runs.
    const pids = await busyWorkers(2 * cpus().length, 1500);
    await new Promise((r) => setTimeout(r, 250));
    const snap = probe.read();
    const workers = emptyLog2Histogram();
    for (const pid of pids) {
      const h = snap.byPid.get(pid);
      expect(h, `histogram for worker ${pid}`).toBeDefined();
      for (let i = 0; i < h!.counts.length; i++) addToSlot(workers, i, h!.counts[i]);
    }
    // Waits of 2^20 ns (~1 ms) or more happen only under contention, and here they must be common.
    expect(countAtLeast(workers, 2 ** 20)).toBeGreaterThanOrEqual(20);
    expect(snap.all.total).toBeGreaterThanOrEqual(workers.total);
    // The workers have exited: their histograms stand still, and the next snapshot keeps the same objects.
    const next = probe.read();
    for (const pid of pids) expect(next.byPid.get(pid)).toBe(snap.byPid.get(pid));
    // The kernel forgot them when their last thread exited (its map holds live processes, so it never fills up
    // with dead ones); the snapshots keep the histograms they had.
    const inKernel = new Set(
      probe.object
        .map('hist')
        .entries()
        .map(([key]) => key.readUInt32LE(0)),
    );
    for (const pid of pids) expect(inKernel.has(pid)).toBe(false);
    expect(inKernel.has(process.pid)).toBe(true);
    const p99 = probe.quantileSeries(0.99);
    expect(p99.timestamps.length).toBe(p99.values.length);
    expect(p99.timestamps.length).toBeGreaterThanOrEqual(5);
    expect(Math.max(...p99.values.filter(Number.isFinite))).toBeGreaterThan(1);
  });

  it("counts each process's waits as the kernel's own schedstat does", async () => {
    probe = watchRunQueueLatency({ intervalMs: 1000 });
    const end = Date.now() + 5000;
    // One process that sleeps and wakes often (timers) while two spinners keep the CPUs contended.
    const sleeper = spawn(
      process.execPath,
      [
        '-e',
        `(function f(){ let x = 0; for (let i = 0; i < 2e5; i++) x += i; if (Date.now() < ${end}) setTimeout(f, 1); })()`,
      ],
      { stdio: 'ignore' },
    );
    const spin = `while (Date.now() < ${end});`;
    const spinners = [0, 1].map(() => spawn(process.execPath, ['-e', spin], { stdio: 'ignore' }));
    try {
      /** Arrivals on a CPU after a wait, and the waits' sum in ns, over every thread (/proc/PID/task/T/schedstat). */
      const schedstat = (pid: number) => {
        let arrivals = 0;
        let waitedNs = 0;
        for (const t of readdirSync(`/proc/${pid}/task`)) {
          const [, delay, count] = readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').trim().split(' ');
          arrivals += Number(count);
          waitedNs += Number(delay);
        }
        return { arrivals, waitedNs };
      };
      const sum = (h: Log2Histogram | undefined) =>
        h ? h.counts.reduce((a, n, slot) => a + n * (slot === 0 ? 0 : 1.5 * 2 ** slot), 0) : 0;
      await new Promise((r) => setTimeout(r, 1000));
      const k0 = schedstat(sleeper.pid!);
      const h0 = probe.read().byPid.get(sleeper.pid!);
      await new Promise((r) => setTimeout(r, 2500));
      const k1 = schedstat(sleeper.pid!);
      const h1 = probe.read().byPid.get(sleeper.pid!)!;
      const kernelArrivals = k1.arrivals - k0.arrivals;
      const counted = h1.total - (h0?.total ?? 0);
      expect(kernelArrivals).toBeGreaterThan(500);
      // The same events: only the few switches between reading /proc and reading the map differ.
      expect(Math.abs(counted - kernelArrivals)).toBeLessThanOrEqual(Math.max(10, 0.02 * kernelArrivals));
      // The same waits, to the log2 histogram's resolution (each sample taken at its slot's midpoint).
      const waited = sum(h1) - sum(h0);
      expect(waited / (k1.waitedNs - k0.waitedNs)).toBeGreaterThan(0.66);
      expect(waited / (k1.waitedNs - k0.waitedNs)).toBeLessThan(1.5);
    } finally {
      for (const c of [sleeper, ...spinners]) c.kill();
    }
  });
});
