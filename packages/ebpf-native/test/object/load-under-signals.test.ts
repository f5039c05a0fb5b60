/**
 * The verifier gives up with EAGAIN when a signal is pending: a process under a sampling profiler
 * (`node --cpu-prof` sends SIGPROF to the main thread every interval) failed to load the tracer, whose
 * programs take the verifier longer than libbpf's few retries. The addon holds signals during a load.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';
import { packageRoot } from '../../src/native/package-paths.js';
import { describeEbpf } from '../helpers/require-ebpf.js';

describeEbpf('loading under a sampling profiler', () => {
  it('loads and attaches the request tracer in a process receiving SIGPROF every 100 µs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-cpu-prof-'));
    try {
      const entry = pathToFileURL(join(packageRoot(), 'dist', 'index.js')).href;
      const script = `const { traceHttp } = await import(${JSON.stringify(entry)});
        for (let i = 0; i < 3; i++) traceHttp({ ports: [1] }).close();
        console.log('loaded');`;
      const out = spawnSync(
        process.execPath,
        [
          '--cpu-prof',
          '--cpu-prof-interval',
          '100',
          `--cpu-prof-dir=${dir}`,
          '--input-type=module',
          '-e',
          script,
        ],
        { encoding: 'utf8' },
      );
      expect(out.stderr).toBe('');
      expect(out.stdout.trim()).toBe('loaded');
      // The profiler really ran (its profile is written at exit).
      expect(readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).length).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
