/** Uses the package as a user would: the built dist/, imported by name, in-process and as other users. */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  APT_INSTALL,
  BpfObject,
  bpfObjectPath,
  checkEnvironment,
  VigilEbpfError,
  watchProcesses,
} from '@vigil/ebpf-native';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../src/native/package-paths.js';
import { run, uniqueMarker } from './helpers/processes.js';
import { addonMissing, describeEbpf } from './helpers/require-ebpf.js';

const distEntry = join(packageRoot(), 'dist', 'index.js');

/** Runs an ES module snippet that imports the built package, as `uid`, and returns its JSON output. */
function runAs(uid: number | undefined, code: string, entry = distEntry): unknown {
  const script = `import * as m from ${JSON.stringify(entry)};\n${code}`;
  const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], { uid, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`child failed: ${out.stderr}`);
  return JSON.parse(out.stdout);
}

describe('@vigil/ebpf-native (built)', () => {
  it.skipIf(addonMissing())('opens and inspects a probe object without loading it', () => {
    const obj = BpfObject.open(bpfObjectPath('process'));
    expect(obj.programs.map((p) => [p.name, p.section])).toEqual([
      ['handle_exec', 'tp/sched/sched_process_exec'],
      ['handle_exit', 'tp/sched/sched_process_exit'],
    ]);
    obj.close();
  });

  it.runIf(process.geteuid?.() === 0)(
    'throws EBPF_PERMISSION, naming the capabilities, for an unprivileged user',
    () => {
      const result = runAs(
        65534,
        `try { m.watchProcesses(); console.log(JSON.stringify({ ok: true })); }
       catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message, problems: m.checkEnvironment().problems })); }`,
      ) as { code: string; message: string; problems: string[] };
      if (addonMissing()) {
        expect(result.code).toBe('EBPF_ADDON_UNAVAILABLE');
        return;
      }
      expect(result.code).toBe('EBPF_PERMISSION');
      expect(result.message).toMatch(/CAP_BPF and CAP_PERFMON/);
      expect(result.message).toMatch(/setcap/);
      expect(result.problems[0]).toBe(result.message);
      // tracefs is mode 0700: reported as unreadable, not as unmounted.
      expect(result.problems.slice(1).every((p) => /cannot read it|not mounted/.test(p))).toBe(true);
    },
  );

  it('throws EBPF_ADDON_UNAVAILABLE naming what the build lacked and the apt-get line', () => {
    // A copy of the package as installed on a machine where the native build was skipped.
    const dir = mkdtempSync(join(tmpdir(), 'vigil-no-addon-'));
    try {
      cpSync(join(packageRoot(), 'dist'), join(dir, 'dist'), { recursive: true });
      cpSync(join(packageRoot(), 'package.json'), join(dir, 'package.json'));
      mkdirSync(join(dir, 'build'));
      writeFileSync(
        join(dir, 'build', 'native-status.json'),
        JSON.stringify({
          ok: false,
          missing: ['clang (apt: clang)', 'libbpf (apt: libbpf-dev)'],
          aptInstall: APT_INSTALL,
        }),
      );
      const result = runAs(
        undefined,
        `const env = m.checkEnvironment();
         try { m.BpfObject.open(m.bpfObjectPath('process')); } catch (e) {
           console.log(JSON.stringify({ code: e.code, message: e.message, addon: env.addon, isTyped: e instanceof m.VigilEbpfError }));
         }`,
        join(dir, 'dist', 'index.js'),
      ) as { code: string; message: string; addon: boolean; isTyped: boolean };
      expect(result).toMatchObject({ code: 'EBPF_ADDON_UNAVAILABLE', addon: false, isTyped: true });
      expect(result.message).toContain('clang (apt: clang), libbpf (apt: libbpf-dev) were missing');
      expect(result.message).toContain(APT_INSTALL);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports the environment it checked', () => {
    const env = checkEnvironment();
    expect(env.kernel).toMatch(/^\d+\.\d+/);
    expect(typeof env.btf).toBe('boolean');
    expect(env.problems.every((p) => p.length > 20)).toBe(true);
  });
});

describeEbpf('@vigil/ebpf-native (built) with privileges', () => {
  it('watches a child process through the public API', async () => {
    const probe = watchProcesses();
    try {
      const marker = uniqueMarker('vigil-built');
      const child = await run('/bin/sh', ['-c', 'exit 5', marker]);
      const exit = await probe.waitFor((e) => e.type === 'exit' && e.pid === child.pid);
      expect(exit).toMatchObject({ exitCode: 5, ppid: process.pid });
    } finally {
      probe.close();
    }
    expect(() => new VigilEbpfError('EBPF_INPUT', 'x')).not.toThrow();
  });
});
