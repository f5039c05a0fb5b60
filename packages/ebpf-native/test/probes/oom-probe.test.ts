import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { EventProbe } from '../../src/probes/event-probe.js';
import { type OomEvent, watchOomKills } from '../../src/probes/oom-probe.js';
import { uniqueMarker } from '../helpers/processes.js';
import { describeEbpf, skipUnlessRequired } from '../helpers/require-ebpf.js';

/** A memory cgroup (v1 or v2) under this process's own, so the OOM kill stays inside the test. */
function memoryCgroup(limitBytes: number): { dir: string; addProcs: string } | undefined {
  const own = readFileSync('/proc/self/cgroup', 'utf8').split('\n');
  const v1 = own.find((l) => /^\d+:memory:/.test(l))?.split(':')[2];
  const v2 = own.find((l) => l.startsWith('0::'))?.split(':')[2];
  const candidates = [
    v1 !== undefined
      ? { base: join('/sys/fs/cgroup/memory', v1), limit: 'memory.limit_in_bytes' }
      : undefined,
    v2 !== undefined ? { base: join('/sys/fs/cgroup', v2), limit: 'memory.max' } : undefined,
  ];
  for (const c of candidates) {
    if (!c || !existsSync(join(c.base, c.limit))) continue;
    const dir = join(c.base, uniqueMarker('vigil-oom'));
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, c.limit), String(limitBytes));
      if (existsSync(join(dir, 'memory.swappiness'))) writeFileSync(join(dir, 'memory.swappiness'), '0');
      if (existsSync(join(dir, 'memory.swap.max'))) writeFileSync(join(dir, 'memory.swap.max'), '0');
      return { dir, addProcs: join(dir, 'cgroup.procs') };
    } catch {
      if (existsSync(dir)) rmdirSync(dir);
    }
  }
  return undefined;
}

let probe: EventProbe<OomEvent> | undefined;
let cgroup: { dir: string } | undefined;
afterEach(() => {
  probe?.close();
  if (cgroup) {
    for (let i = 0; i < 50; i++) {
      try {
        rmdirSync(cgroup.dir);
        break;
      } catch {
        // The killed process may still be leaving the cgroup.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
      }
    }
  }
});

describeEbpf('watchOomKills', () => {
  const probeCgroup = memoryCgroup(64 << 20);
  if (probeCgroup) rmdirSync(probeCgroup.dir);
  else
    console.warn('[ebpf-native] skipping the OOM test: no writable memory cgroup under this process’s own.');
  it.skipIf(skipUnlessRequired(!probeCgroup))(
    'reports the OOM kill of a child that outgrows a 64 MiB memory cgroup',
    async () => {
      probe = watchOomKills();
      cgroup = memoryCgroup(64 << 20)!;
      // The shell joins the cgroup, then becomes a program that allocates and touches 1 MiB at a time.
      const hog = 'const a = []; for (;;) a.push(Buffer.alloc(1 << 20, 1));';
      const child = spawn(
        '/bin/sh',
        ['-c', `echo $$ > ${cgroup.addProcs} && exec "${process.execPath}" -e '${hog}'`],
        { stdio: 'ignore' },
      );
      const exit = await new Promise<NodeJS.Signals | null>((resolve) =>
        child.on('exit', (_code, signal) => resolve(signal)),
      );
      expect(exit).toBe('SIGKILL');
      const event = await probe.waitFor((e) => e.pid === child.pid);
      expect(event).toMatchObject({ pid: child.pid, comm: 'node', uid: 0 });
      // The victim was near its 64 MiB limit when chosen.
      expect(event!.anonRssBytes + event!.fileRssBytes + event!.shmemRssBytes).toBeGreaterThan(16 << 20);
      expect(event!.totalVmBytes).toBeGreaterThan(event!.anonRssBytes);
    },
  );
});
