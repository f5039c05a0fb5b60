import { existsSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { type watchSyscalls as Watch, watchSyscalls } from '../../src/probes/syscall-probe.js';
import { describeEbpf } from '../helpers/require-ebpf.js';

// Syscall numbers differ per architecture (arm64 uses the generic table).
const NUMBERS: Record<string, { getppid: number; openat: number }> = {
  x64: { getppid: 110, openat: 257 },
  arm64: { getppid: 173, openat: 56 },
};
const { getppid: GETPPID, openat: OPENAT } = NUMBERS[process.arch] ?? NUMBERS.x64;
let probe: ReturnType<typeof Watch> | undefined;
afterEach(() => probe?.close());

describeEbpf('watchSyscalls', () => {
  it('counts this process’s getppid calls exactly and its failing openat calls', () => {
    probe = watchSyscalls({ pid: process.pid, intervalMs: 100 });
    for (let i = 0; i < 1000; i++) void process.ppid;
    for (let i = 0; i < 50; i++) existsSync(`/nonexistent/vigil-${i}`);
    const stats = probe.read().stats;
    expect(stats.every((s) => s.pid === process.pid)).toBe(true);
    const getppid = stats.find((s) => s.syscall === GETPPID);
    expect(getppid).toMatchObject({ count: 1000, errors: 0 });
    expect(getppid!.totalNs).toBeGreaterThan(0);
    expect(getppid!.maxNs).toBeLessThanOrEqual(getppid!.totalNs);
    expect(getppid!.maxNs * 1000).toBeGreaterThanOrEqual(getppid!.totalNs);
    // existsSync → access(2)/faccessat or statx; count the failures on whichever path this Node takes.
    const failed = stats.filter((s) => s.syscall !== GETPPID).reduce((a, s) => a + s.errors, 0);
    expect(failed).toBeGreaterThanOrEqual(50);
    expect(stats.find((s) => s.syscall === OPENAT)?.count ?? 0).toBeGreaterThanOrEqual(0);
  });

  it('counts the same with per-thread hash start times (the fallback for older kernels)', () => {
    for (const startTimes of ['hash', 'task-storage'] as const) {
      probe = watchSyscalls({ pid: process.pid, startTimes });
      for (let i = 0; i < 300; i++) void process.ppid;
      expect(probe.read().stats.find((s) => s.syscall === GETPPID)?.count).toBe(300);
      probe.close();
    }
  });

  it('builds a call-rate series from its snapshots', async () => {
    probe = watchSyscalls({ pid: process.pid, intervalMs: 50 });
    const until = Date.now() + 300;
    while (Date.now() < until) {
      void process.ppid;
      await new Promise((r) => setImmediate(r));
    }
    const rate = probe.callRate();
    expect(rate.values.length).toBeGreaterThanOrEqual(3);
    expect(rate.values.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    expect(Math.max(...rate.values)).toBeGreaterThan(100);
    for (let i = 1; i < rate.timestamps.length; i++)
      expect(rate.timestamps[i]).toBeGreaterThan(rate.timestamps[i - 1]);
  });
});
