/**
 * The TCP and process probes' summary mode: machine-wide events counted in the kernel, read as
 * snapshots — exact for what the test does (connections to its own port; programs under a name only it
 * runs), with nothing delivered per event.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { AggregateProbe } from '../../src/probes/aggregate-probe.js';
import { type ProcessSummary, summarizeProcesses } from '../../src/probes/process-summary.js';
import { summarizeTcp, type TcpSummaryProbe } from '../../src/probes/tcp-summary.js';
import { describeEbpf } from '../helpers/require-ebpf.js';

let tcp: TcpSummaryProbe | undefined;
let procs: AggregateProbe<ProcessSummary> | undefined;
let server: Server | undefined;
afterEach(() => {
  tcp?.close();
  procs?.close();
  server?.close();
});

async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

describeEbpf('summary mode', () => {
  it('counts connects, accepts, closes and bytes of the connections to a port, exactly', async () => {
    server = createServer((socket) => {
      socket.on('data', () => socket.end(Buffer.alloc(300, 2)));
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    expect(() => summarizeTcp({ ports: [0] })).toThrow(expect.objectContaining({ code: 'EBPF_INPUT' }));
    tcp = summarizeTcp({ ports: [port], intervalMs: 50 });
    const n = 20;
    for (let i = 0; i < n; i++) {
      await new Promise<void>((resolve, reject) => {
        const c = createConnection({ port, host: '127.0.0.1' }, () => c.write(Buffer.alloc(100, 1)));
        c.on('data', () => {});
        c.on('end', () => c.end());
        c.on('close', () => resolve());
        c.on('error', reject);
      });
    }
    await until(() => tcp!.read().ipv4.closes >= 2 * n);
    await new Promise((r) => setTimeout(r, 100));
    const s = tcp.read().ipv4;
    expect(s).toMatchObject({
      connects: n,
      accepts: n,
      closes: 2 * n,
      retransmits: 0,
      bytesSent: n * 400,
      bytesReceived: n * 400,
    });
    expect(s.handshake.total).toBe(2 * n);
    expect(s.lifetime.total).toBe(2 * n);
    expect(tcp.read().ipv6.connects).toBe(0);
    // The connection-rate series comes from the snapshots (one per intervalMs).
    const rate = tcp.connectionRate();
    expect(Math.max(0, ...rate.values)).toBeGreaterThan(0);
  });

  it('counts execs and exits per name and exit status, exactly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-sum-'));
    try {
      // Names no other process on the machine has.
      const tag = `v${process.pid.toString(36)}`;
      const ok = join(dir, `${tag}ok`);
      const fail = join(dir, `${tag}no`);
      copyFileSync('/bin/true', ok);
      copyFileSync('/bin/false', fail);
      procs = summarizeProcesses({ intervalMs: 50 });
      const run = (file: string) =>
        new Promise<number>((resolve, reject) => {
          const c = spawn(file, [], { stdio: 'ignore' });
          c.on('error', reject);
          c.on('exit', (code) => resolve(code ?? -1));
        });
      for (let i = 0; i < 6; i++) expect(await run(ok)).toBe(0);
      for (let i = 0; i < 4; i++) expect(await run(fail)).toBe(1);
      const mine = () => procs!.read().counts.filter((c) => c.comm.startsWith(tag));
      await until(() => mine().reduce((a, c) => a + c.count, 0) >= 20);
      const lines = mine()
        .map((c) => `${c.type} ${c.comm.slice(tag.length)} ${c.exitCode} ${c.signal} ×${c.count}`)
        .sort();
      expect(lines).toEqual(['exec no 0 0 ×4', 'exec ok 0 0 ×6', 'exit no 1 0 ×4', 'exit ok 0 0 ×6']);
      const exits = mine().filter((c) => c.type === 'exit');
      expect(exits.reduce((a, c) => a + c.lifetime.total, 0)).toBe(10);
      expect(procs.read().failures).toBeGreaterThanOrEqual(4);
      // Counts that stand still are the same objects from one snapshot to the next (snapshots are kept).
      const again = procs.read().counts.filter((c) => c.comm.startsWith(tag));
      expect(again.length).toBe(4);
      for (const c of again) expect(mine()).toContain(c);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
