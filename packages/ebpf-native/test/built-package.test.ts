/** Uses the package as a user would: the built dist/, imported by name, in-process and as other users. */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { APT_INSTALL, checkEnvironment, VigilEbpfError } from '@vigil/ebpf-native/environment';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../src/native/package-paths.js';
import { run, uniqueMarker } from './helpers/processes.js';
import { addonMissing, describeEbpf, skipUnlessRequired } from './helpers/require-ebpf.js';

/** Runs an ES module snippet as `uid` with `m` bound to `import(entry)` (or its error) and returns its JSON output. */
function runAs(uid: number | undefined, code: string, root = packageRoot()): unknown {
  const entry = pathToFileURL(join(root, 'dist', 'index.js')).href;
  const environment = pathToFileURL(join(root, 'dist', 'environment.js')).href;
  const script = `import * as env from ${JSON.stringify(environment)};
    let m, importError;
    try { m = await import(${JSON.stringify(entry)}); } catch (e) { importError = e; }
    ${code}`;
  const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], { uid, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`child failed: ${out.stderr}`);
  return JSON.parse(out.stdout);
}

/**
 * The first folder on the way to `path` that user `uid` cannot pass (no search permission for it as owner or as
 * "other"), or null. A clone inside a private folder (mktemp -d makes 0700 folders) cannot be imported by another user.
 */
function blockedFolder(uid: number, path: string): string | null {
  const chain: string[] = [];
  for (let dir = path; ; dir = dirname(dir)) {
    chain.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of chain) {
    const st = statSync(dir);
    if ((st.uid === uid ? st.mode & 0o100 : st.mode & 0o001) === 0) return dir;
  }
  return null;
}

const NOBODY = 65534;
const unreachable = blockedFolder(NOBODY, packageRoot());

describe('@vigil/ebpf-native (built)', () => {
  it.skipIf(skipUnlessRequired(addonMissing()))(
    'opens and inspects a probe object without loading it',
    async () => {
      const { BpfObject, bpfObjectPath } = await import('@vigil/ebpf-native');
      const obj = BpfObject.open(bpfObjectPath('process'));
      expect(obj.programs.map((p) => [p.name, p.section])).toEqual([
        ['handle_exec', 'tp/sched/sched_process_exec'],
        ['handle_exit', 'tp/sched/sched_process_exit'],
      ]);
      obj.close();
    },
  );

  it.skipIf(skipUnlessRequired(process.geteuid?.() !== 0 || addonMissing() || unreachable !== null))(
    'lets an unprivileged user inspect objects, and throws EBPF_PERMISSION naming the capabilities on load',
    () => {
      expect(
        unreachable,
        `user ${NOBODY} cannot reach the package through ${unreachable} (a private folder): clone the repository where other users can read it`,
      ).toBeNull();
      const result = runAs(
        NOBODY,
        `const programs = m.BpfObject.open(m.bpfObjectPath('tcp')).programs.map((p) => p.name);
         try { m.watchProcesses(); console.log(JSON.stringify({ ok: true })); }
         catch (e) { console.log(JSON.stringify({ programs, code: e.code, message: e.message, problems: env.checkEnvironment().problems })); }`,
      ) as { programs: string[]; code: string; message: string; problems: string[] };
      expect(result.programs).toEqual(['handle_set_state', 'handle_retransmit']);
      expect(result.code).toBe('EBPF_PERMISSION');
      expect(result.message).toMatch(/CAP_BPF and CAP_PERFMON/);
      expect(result.message).toMatch(/setcap/);
      expect(result.problems[0]).toBe(result.message);
      // tracefs is mode 0700: reported as unreadable, not as unmounted.
      expect(result.problems.slice(1).every((p) => /cannot read it|not mounted/.test(p))).toBe(true);
    },
  );

  it('without a built addon, importing throws EBPF_ADDON_UNAVAILABLE naming what is missing and the apt-get line', () => {
    // A copy of the package as installed on a machine where the native build was skipped.
    const dir = mkdtempSync(join(tmpdir(), 'vigil-no-addon-'));
    try {
      cpSync(join(packageRoot(), 'dist'), join(dir, 'dist'), { recursive: true });
      cpSync(join(packageRoot(), 'package.json'), join(dir, 'package.json'));
      // Its dependencies, as an install has them (the monorepo's hoisted node_modules).
      symlinkSync(join(packageRoot(), '..', '..', 'node_modules'), join(dir, 'node_modules'), 'dir');
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
        `const e = env.checkEnvironment();
         console.log(JSON.stringify({ imported: m !== undefined, code: importError?.code, message: importError?.message, addon: e.addon, typed: importError instanceof env.VigilEbpfError }));`,
        dir,
      ) as { imported: boolean; code: string; message: string; addon: boolean; typed: boolean };
      expect(result).toMatchObject({
        imported: false,
        code: 'EBPF_ADDON_UNAVAILABLE',
        addon: false,
        typed: true,
      });
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
    expect(new VigilEbpfError('EBPF_INPUT', 'x', { fix: 'y' }).message).toBe('x Fix: y');
  });
});

describeEbpf('@vigil/ebpf-native (built) with privileges', () => {
  it('watches a child process through the public API', async () => {
    const { watchProcesses } = await import('@vigil/ebpf-native');
    const probe = watchProcesses();
    try {
      const marker = uniqueMarker('vigil-built');
      const child = await run('/bin/sh', ['-c', 'exit 5', marker]);
      const exit = await probe.waitFor((e) => e.type === 'exit' && e.pid === child.pid);
      expect(exit).toMatchObject({ exitCode: 5, ppid: process.pid });
    } finally {
      probe.close();
    }
  });
});
