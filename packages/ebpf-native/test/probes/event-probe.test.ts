import { afterEach, expect, it } from 'vitest';
import { startProbe } from '../../src/probes/event-probe.js';
import { watchProcesses } from '../../src/probes/process-probe.js';
import { hasBpftool, linksOf, newestProgramId } from '../helpers/bpftool.js';
import { run } from '../helpers/processes.js';
import { describeEbpf, skipUnlessRequired } from '../helpers/require-ebpf.js';

const closers: Array<{ close(): void }> = [];
afterEach(() => {
  for (const c of closers.splice(0)) c.close();
});

describeEbpf('event probes', () => {
  it.skipIf(skipUnlessRequired(!hasBpftool))(
    'leave nothing attached when a later attach of the same probe fails',
    () => {
      const since = newestProgramId();
      const before = linksOf('count_getppid', since);
      // The first program attaches; the second (a bare uprobe section) cannot, so the whole start fails.
      expect(() =>
        startProbe('test-probes', [{ name: 'count_getppid' }, { name: 'count_uprobe' }], {}, (o) => {
          for (const p of o.programs)
            o.setAutoload(p.name, p.name === 'count_getppid' || p.name === 'count_uprobe');
        }),
      ).toThrow(expect.objectContaining({ code: 'EBPF_INPUT' }));
      expect(linksOf('count_getppid', since)).toBe(before);
    },
  );

  it('counts events it had to discard because nobody read them', async () => {
    const probe = watchProcesses({ maxBuffered: 2 });
    closers.push(probe);
    for (let i = 0; i < 5; i++) await run('/bin/true', []);
    // Five children make at least five execs and five exits; nothing is read until they have arrived.
    const deadline = Date.now() + 5000;
    while (probe.stats().received < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const kept = probe.read();
    const stats = probe.stats();
    expect(stats.received).toBeGreaterThanOrEqual(10);
    expect(kept).toHaveLength(2);
    expect(stats.bufferDrops + kept.length).toBe(stats.received);
    expect(stats.kernelDrops).toBe(0);
  });
});
