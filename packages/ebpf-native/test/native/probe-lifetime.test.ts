/**
 * Probes their owner never closes: a process that exits with them open (events still flowing) exits
 * cleanly, every time, and a probe that is dropped is closed when it is garbage-collected (its links
 * counted from the process's own descriptors).
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';
import { packageRoot } from '../../src/native/package-paths.js';
import { describeEbpf } from '../helpers/require-ebpf.js';

const dist = pathToFileURL(join(packageRoot(), 'dist', 'index.js')).href;

/** A program that opens five probes with events flowing and ends (naturally or by process.exit) without closing them. */
const exitWithProbesOpen = (how: 'natural' | 'exit', afterMs: number) => `
  import { createServer, get } from 'node:http';
  import { traceHttp, watchTcp, watchProcesses, watchRunQueueLatency, sampleStacks } from ${JSON.stringify(dist)};
  const server = createServer((q, r) => r.end('ok')).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const port = server.address().port;
  const probes = [
    traceHttp({ ports: [port], events: true, batching: { flushMs: 1 } }),
    watchTcp({ batching: { flushMs: 1 } }),
    watchProcesses(),
    watchRunQueueLatency({ intervalMs: 10 }),
    sampleStacks({ frequency: 99, intervalMs: 10 }),
  ];
  for (const p of probes) p.onEvents?.(() => {});
  let n = 0;
  const load = setInterval(() => {
    for (let i = 0; i < 10; i++) get('http://127.0.0.1:' + port + '/x' + n++, (r) => r.resume()).on('error', () => {});
  }, 1);
  setTimeout(() => {
    ${how === 'exit' ? 'process.exit(0);' : 'clearInterval(load); server.closeAllConnections(); server.close();'}
  }, ${afterMs});
`;

function run(source: string): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--expose-gc', '--input-type=module', '-e', source], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.resume();
    child.on('exit', (code, signal) => resolve({ code, signal, stderr }));
  });
}

describeEbpf('probe lifetime', () => {
  it('exits cleanly, every time, when a process ends with probes open and events in flight', async () => {
    const runs = 12;
    const results = [];
    for (let i = 0; i < runs; i++) {
      // Both ways of ending, at varying moments relative to the ring buffers' batches.
      results.push(await run(exitWithProbesOpen(i % 2 === 0 ? 'exit' : 'natural', 150 + (i % 6) * 17)));
    }
    const failed = results.filter(
      (r) => r.code !== 0 || r.signal !== null || /terminate called/.test(r.stderr),
    );
    expect(failed.map((r) => `${r.code ?? r.signal}: ${r.stderr.slice(0, 300)}`)).toEqual([]);
  }, 120_000);

  it('closes probes that are dropped without close() when they are garbage-collected', () => {
    const script = `
      import { readdirSync, readFileSync } from 'node:fs';
      import { traceHttp, watchRunQueueLatency, watchTcp } from ${JSON.stringify(dist)};
      // BPF links this process holds: descriptors whose fdinfo names a link.
      const count = () => readdirSync('/proc/self/fdinfo').filter((fd) => {
        try { return /^link_id:/m.test(readFileSync('/proc/self/fdinfo/' + fd, 'utf8')); } catch { return false; }
      }).length;
      (() => {
        traceHttp({ pid: process.pid }).onEvents(() => {});
        watchRunQueueLatency({ intervalMs: 10 });
        watchTcp();
      })();
      const attached = count();
      for (let i = 0; i < 50 && count() > 0; i++) {
        globalThis.gc();
        await new Promise((r) => setTimeout(r, 20));
      }
      console.log(JSON.stringify({ attached, after: count() }));
    `;
    const out = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    expect(out.stderr).toBe('');
    const { attached, after } = JSON.parse(out.stdout) as { attached: number; after: number };
    expect(attached).toBeGreaterThanOrEqual(3);
    expect(after).toBe(0);
  });
});
