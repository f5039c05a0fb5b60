/**
 * The profiler finds a known hot function in a C program (ELF .symtab) and in `node --perf-basic-prof`
 * (perf-PID.map), and its pprof output decodes with a pprof library to the same top frame.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Profile } from 'pprof-format';
import { afterEach, expect, it } from 'vitest';
import { topFunctions } from '../../src/profiling/cpu-profile.js';
import { flameGraphSvg } from '../../src/profiling/flame-graph.js';
import { foldedStacks } from '../../src/profiling/folded.js';
import { encodePprof } from '../../src/profiling/pprof.js';
import { profileCpu } from '../../src/profiling/profile-cpu.js';
import { describeEbpf, skipUnlessRequired } from '../helpers/require-ebpf.js';

const hasCc = spawnSync('sh', ['-c', 'command -v cc'], { stdio: 'ignore' }).status === 0;
let child: ChildProcess | undefined;
afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
});

const HOT_C = `
#include <stdlib.h>
#include <time.h>
volatile unsigned long sink;
__attribute__((noinline)) void vigil_hot_loop(void) {
  for (unsigned long i = 0; i < 2000000; i++) sink += i * 7;
}
int main(int argc, char **argv) {
  double seconds = atof(argv[1]);
  struct timespec t0, t;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  do {
    vigil_hot_loop();
    clock_gettime(CLOCK_MONOTONIC, &t);
  } while ((t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9 < seconds);
  return 0;
}
`;

/** Leaf function names of a decoded pprof profile, weighted by their first value (sample counts). */
function pprofLeaves(bytes: Uint8Array): Map<string, number> {
  const p = Profile.decode(bytes);
  const name = (i: number | bigint) => p.stringTable.strings[Number(i)];
  const fn = new Map(p.function.map((f) => [Number(f.id), name(f.name)]));
  const loc = new Map(p.location.map((l) => [Number(l.id), fn.get(Number(l.line[0].functionId)) ?? '?']));
  const leaves = new Map<string, number>();
  for (const s of p.sample) {
    const leaf = loc.get(Number(s.locationId[0])) ?? '?';
    leaves.set(leaf, (leaves.get(leaf) ?? 0) + Number(s.value[0]));
  }
  return leaves;
}

describeEbpf('profileCpu', () => {
  it.skipIf(skipUnlessRequired(!hasCc))(
    'names the hot function of a C program from its symbol table, in pprof, folded stacks and the flame graph',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'vigil-prof-'));
      writeFileSync(join(dir, 'hot.c'), HOT_C);
      const cc = spawnSync(
        'cc',
        [
          '-O0',
          '-fno-omit-frame-pointer',
          '-mno-omit-leaf-frame-pointer',
          '-o',
          join(dir, 'hot'),
          join(dir, 'hot.c'),
        ],
        {
          encoding: 'utf8',
        },
      );
      expect(cc.stderr).toBe('');
      child = spawn(join(dir, 'hot'), ['5'], { stdio: 'ignore' });
      await new Promise((r) => setTimeout(r, 100));
      const profile = await profileCpu({ pid: child.pid, frequency: 499, durationMs: 1000 });
      const top = topFunctions(profile);
      expect(top[0]).toMatchObject({ name: 'vigil_hot_loop', module: join(dir, 'hot') });
      expect(top[0].share).toBeGreaterThan(0.8);
      // Frame pointers: the caller is there too.
      const folded = foldedStacks(profile);
      expect(folded.split('\n')[0]).toMatch(/^hot;.*main;vigil_hot_loop \d+$/);

      const leaves = pprofLeaves(encodePprof(profile));
      const [best] = [...leaves].sort((a, b) => b[1] - a[1]);
      expect(best[0]).toBe('vigil_hot_loop');
      const total = [...leaves.values()].reduce((a, b) => a + b, 0);
      expect(total).toBe(profile.samples.reduce((a, s) => a + s.count, 0));
      const p = Profile.decode(encodePprof(profile));
      expect(p.stringTable.strings[Number(p.sampleType[1].unit)]).toBe('nanoseconds');
      expect(Number(p.period)).toBe(Math.round(1e9 / 499));

      const svg = flameGraphSvg(folded, { title: 'hot' });
      expect(svg).toMatch(/^<\?xml/);
      expect(svg).toContain('<title>vigil_hot_loop (');
      rmSync(dir, { recursive: true, force: true });
    },
  );

  it('names a hot JavaScript function of node --perf-basic-prof from its perf map', async () => {
    const script = `
      function vigilHotFunction(n) { let s = 0; for (let i = 0; i < n; i++) s += Math.sqrt(i) * i; return s; }
      const end = Date.now() + 6000; let x = 0;
      while (Date.now() < end) x += vigilHotFunction(200000);
      console.log(x > 0);`;
    // Its own directory: V8 also writes an isolate log into the working directory.
    const cwd = mkdtempSync(join(tmpdir(), 'vigil-jit-'));
    child = spawn(process.execPath, ['--perf-basic-prof', '-e', script], { stdio: 'ignore', cwd });
    await new Promise((r) => setTimeout(r, 700)); // let V8 compile it (and write the perf map)
    const profile = await profileCpu({ pid: child.pid, frequency: 499, durationMs: 1000 });
    const top = topFunctions(profile);
    expect(top[0].name).toMatch(/vigilHotFunction/);
    expect(top[0].module).toBe('[jit]');
    expect(top[0].share).toBeGreaterThan(0.5);
    const leaves = pprofLeaves(encodePprof(profile, { gzip: false }));
    expect([...leaves].sort((a, b) => b[1] - a[1])[0][0]).toMatch(/vigilHotFunction/);
    rmSync(`/tmp/perf-${child.pid}.map`, { force: true });
    rmSync(cwd, { recursive: true, force: true });
  });

  it('rejects a bad duration before loading anything', async () => {
    await expect(profileCpu({ durationMs: 0 })).rejects.toMatchObject({ code: 'EBPF_INPUT' });
  });
});
