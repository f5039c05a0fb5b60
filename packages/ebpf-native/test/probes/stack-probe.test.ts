import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
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

  it("keeps an exited process's frames mapped to its files, resolving each stack once", async () => {
    const child = spawn('sh', ['-c', 'i=0; while [ $i -lt 20000000 ]; do i=$((i+1)); done']);
    probe = sampleStacks({ pid: child.pid, frequency: 999, intervalMs: 60_000 });
    await sleep(400);
    const alive = probe.read();
    child.kill();
    await once(child, 'exit');
    const after = probe.read();
    expect(alive.total).toBeGreaterThan(50);
    expect(after.total).toBeGreaterThanOrEqual(alive.total);
    const mapped = (s: StackSnapshot) => s.stacks.flatMap((x) => x.user).filter((f) => f.module).length;
    expect(mapped(alive)).toBeGreaterThan(0);
    // The shell is gone (its /proc/PID/maps with it), yet every stack it had keeps its files and offsets:
    // the same frames, resolved when first seen and not again.
    expect(mapped(after)).toBeGreaterThanOrEqual(mapped(alive));
    for (const s of alive.stacks) {
      const same = after.stacks.find((t) => t.user === s.user);
      expect(same?.kernel).toBe(s.kernel);
      expect(same!.count).toBeGreaterThanOrEqual(s.count);
    }
    // Nothing samples the shell any more: the next snapshot keeps every sample object as it was.
    const still = probe.read();
    expect(still.stacks).toEqual(after.stacks);
    for (let i = 0; i < still.stacks.length; i++) expect(after.stacks).toContain(still.stacks[i]);
  });

  it('rejects a frequency outside 1–10000 Hz', () => {
    expect(() => sampleStacks({ frequency: 0 })).toThrow(expect.objectContaining({ code: 'EBPF_INPUT' }));
  });
});
