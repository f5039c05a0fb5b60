import { statSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import type { AggregateProbe } from '../../src/probes/aggregate-probe.js';
import { type StackSnapshot, sampleStacks } from '../../src/probes/stack-probe.js';
import { describeEbpf } from '../helpers/require-ebpf.js';

let probe: AggregateProbe<StackSnapshot> | undefined;
afterEach(() => probe?.close());

describeEbpf('sampleStacks', () => {
  it('profiles this process spending its time in stat(2): kernel frames name the stat path', () => {
    probe = sampleStacks({ pid: process.pid, frequency: 999, intervalMs: 60_000 });
    const cpu0 = process.cpuUsage();
    const until = Date.now() + 400;
    while (Date.now() < until) {
      for (let i = 0; i < 100; i++) statSync('/proc/self/status');
    }
    const cpu = process.cpuUsage(cpu0);
    const snap = probe.read();
    expect(snap.stacks.every((s) => s.pid === process.pid)).toBe(true);
    expect(snap.total).toBe(snap.stacks.reduce((a, s) => a + s.count, 0));
    // 999 Hz per CPU: about one sample per millisecond of this process's CPU time.
    const cpuMs = (cpu.user + cpu.system) / 1000;
    expect(snap.total).toBeGreaterThan(0.4 * cpuMs);
    expect(snap.total).toBeLessThan(1.5 * cpuMs + 20);
    const inKernel = snap.stacks.filter((s) => s.kernel.length > 0);
    const statFrames = inKernel
      .filter((s) => s.kernel.some((f) => /stat/.test(f)))
      .reduce((a, s) => a + s.count, 0);
    expect(statFrames).toBeGreaterThan(0);
    // User frames, where unwound, are mapped to files (node itself, libc) or anonymous JIT memory.
    const mapped = snap.stacks.flatMap((s) => s.user).filter((f) => f.module);
    expect(mapped.length).toBeGreaterThan(0);
  });

  it('rejects a frequency outside 1–10000 Hz', () => {
    expect(() => sampleStacks({ frequency: 0 })).toThrow(expect.objectContaining({ code: 'EBPF_INPUT' }));
  });
});
