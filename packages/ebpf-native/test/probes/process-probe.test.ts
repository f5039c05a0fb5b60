import { spawn } from 'node:child_process';
import { afterEach, expect, it } from 'vitest';
import type { EventProbe } from '../../src/probes/event-probe.js';
import { type ProcessEvent, watchProcesses } from '../../src/probes/process-probe.js';
import { run, uniqueMarker } from '../helpers/processes.js';
import { describeEbpf } from '../helpers/require-ebpf.js';

let probe: EventProbe<ProcessEvent> | undefined;
afterEach(() => probe?.close());

describeEbpf('watchProcesses', () => {
  it('reports the exec with argv and the exit with code and lifetime of a child it started', async () => {
    probe = watchProcesses();
    const marker = uniqueMarker('vigil-exec');
    const started = Date.now();
    const child = await run('/bin/sh', ['-c', 'sleep 0.05; exit 37', marker]);
    expect(child.code).toBe(37);

    const exec = await probe.waitFor((e) => e.type === 'exec' && e.argv.includes(marker));
    expect(exec).toMatchObject({
      type: 'exec',
      pid: child.pid,
      ppid: process.pid,
      filename: '/bin/sh',
      comm: 'sh',
    });
    expect(exec?.type === 'exec' && exec.argv).toEqual(['/bin/sh', '-c', 'sleep 0.05; exit 37', marker]);
    expect(exec?.time).toBeGreaterThanOrEqual(started - 50);
    expect(exec?.time).toBeLessThanOrEqual(Date.now() + 50);

    const exit = await probe.waitFor((e) => e.type === 'exit' && e.pid === child.pid);
    expect(exit).toMatchObject({ type: 'exit', pid: child.pid, ppid: process.pid, exitCode: 37, signal: 0 });
    // The child slept 50 ms, so it lived at least that long, and no longer than the test has run.
    const lifetime = exit?.type === 'exit' ? exit.lifetimeMs : 0;
    expect(lifetime).toBeGreaterThanOrEqual(45);
    expect(lifetime).toBeLessThan(Date.now() - started + 50);
  });

  it('reports the signal that killed a process', async () => {
    probe = watchProcesses();
    const child = spawn('/bin/sleep', ['30'], { stdio: 'ignore' });
    await new Promise((r) => child.once('spawn', r));
    child.kill('SIGKILL');
    const exit = await probe.waitFor((e) => e.type === 'exit' && e.pid === child.pid);
    expect(exit).toMatchObject({ type: 'exit', comm: 'sleep', exitCode: 0, signal: 9 });
  });

  it('iterates asynchronously and counts what it delivered', async () => {
    probe = watchProcesses();
    const marker = uniqueMarker('vigil-iter');
    const seen: ProcessEvent[] = [];
    const consumer = (async () => {
      for await (const e of probe!) {
        seen.push(e);
        if (e.type === 'exec' && e.argv.includes(marker)) return e;
      }
    })();
    await run('/bin/true', [marker]);
    const found = await consumer;
    expect(found?.type).toBe('exec');
    const stats = probe.stats();
    expect(stats.received).toBeGreaterThanOrEqual(seen.length);
    expect(stats.kernelDrops).toBe(0);
    expect(stats.batches).toBeGreaterThan(0);
  });
});
