/**
 * The `ebpf` section of `vigil serve`: kernel probes feed the same pipeline as OTLP. The live test loads real probes
 * (root, BTF, tracefs) and fails instead of skipping under VIGIL_REQUIRE_EBPF=1 (CI).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { VigilInputError } from '@vigil/core';
import { checkEnvironment } from '@vigil/ebpf-native/environment';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { VigilService } from '../../src/serve/vigil-service.js';

const problems = checkEnvironment().problems;
const required = process.env.VIGIL_REQUIRE_EBPF === '1';
if (problems.length > 0 && !required)
  console.warn(`[server] skipping the live eBPF receiver test: ${problems.join(' ')}`);

const running: VigilService[] = [];
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

function config(ebpf: object) {
  return parseConfig({
    receivers: { otlpHttp: { enabled: false }, otlpGrpc: { enabled: false } },
    admin: { enabled: false },
    outputs: { console: { enabled: false } },
    ebpf,
  });
}

describe('vigil serve: the ebpf section', () => {
  it('is off by default and names the field of a wrong value', () => {
    expect(config({}).ebpf.enabled).toBe(false);
    let error: unknown;
    try {
      config({ enabled: 'yes', http: { ports: [70_000] } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(VigilInputError);
    expect((error as VigilInputError).field).toBe('ebpf.enabled');
    expect((error as Error).message).toContain('ebpf.http.ports.0');
  });

  it.skipIf(problems.length === 0)(
    'without eBPF, auto starts anyway and says why; true refuses to start',
    async () => {
      const lines: string[] = [];
      const service = await VigilService.start(config({ enabled: 'auto' }), { write: (l) => lines.push(l) });
      running.push(service);
      expect(service.ebpf).toBeUndefined();
      expect(lines.join('\n')).toMatch(/eBPF probes off \(ebpf.enabled is auto\): ./);
      await expect(VigilService.start(config({ enabled: true }), { write: () => {} })).rejects.toMatchObject({
        code: 'INVALID_OPTION',
        field: 'ebpf.enabled',
      });
    },
  );

  it.skipIf(problems.length > 0 && !required)(
    'traces requests to a local HTTP server with no code in it and scores them in the pipeline',
    async () => {
      if (problems.length > 0)
        throw new Error(`VIGIL_REQUIRE_EBPF=1 but eBPF is unavailable: ${problems.join(' ')}`);
      const server = createServer((req, res) => {
        res.statusCode = req.url?.startsWith('/fail') ? 500 : 200;
        res.end('ok');
      });
      servers.push(server);
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const port = (server.address() as AddressInfo).port;

      const points = new Map<string, Array<[number, number]>>();
      const lines: string[] = [];
      const service = await VigilService.start(
        config({ enabled: true, intervalMs: 200, http: { pids: [process.pid], ports: [port] } }),
        {
          write: (l) => lines.push(l),
          onScore: (key, t, value) => {
            if (!points.has(key)) points.set(key, []);
            points.get(key)!.push([t, value]);
          },
        },
      );
      running.push(service);
      expect(service.ebpf?.probes).toEqual(['run queue', 'http']);
      expect(lines.join('\n')).toContain('eBPF probes feeding the pipeline: run queue, http');

      // 30 requests on one keep-alive connection: 24 answered 200 on /orders, 6 answered 500 on /fail.
      for (let i = 0; i < 30; i++) {
        const path = i % 5 === 4 ? '/fail' : '/orders';
        const res = await fetch(`http://127.0.0.1:${port}${path}`);
        await res.text();
      }
      // Two intervals for the last requests to land in a point, then drain.
      await new Promise((r) => setTimeout(r, 500));
      service.ebpf!.poll();

      const rate = (route: string) =>
        [...points.entries()].find(
          ([key]) => key.includes('/ebpf.http.server.request.rate') && key.includes(`http.route=${route}}`),
        );
      const orders = rate('/orders');
      const fail = rate('/fail');
      expect(orders, [...points.keys()].join('\n')).toBeDefined();
      expect(fail).toBeDefined();
      // Rate is per second over 200 ms intervals: the points sum to the requests ×5.
      const count = (p: Array<[number, number]>) => p.reduce((s, [, v]) => s + v, 0) / 5;
      expect(count(orders![1])).toBeCloseTo(24, 6);
      expect(count(fail![1])).toBeCloseTo(6, 6);
      const errorRatio = [...points.entries()].find(
        ([key]) => key.includes('/ebpf.http.server.error_ratio') && key.includes('http.route=/fail}'),
      );
      expect(errorRatio![1].filter(([, v]) => !Number.isNaN(v)).every(([, v]) => v === 1)).toBe(true);
      expect([...points.keys()]).toContain('host/ebpf.sched.runqueue.latency.p90');
      // Every point went through the pipeline once: timestamps strictly increase per series.
      for (const series of points.values())
        for (let i = 1; i < series.length; i++) expect(series[i][0]).toBeGreaterThan(series[i - 1][0]);
      expect(service.ebpf!.stats.requests).toBe(30);
    },
  );
});
