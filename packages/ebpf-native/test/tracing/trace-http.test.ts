/**
 * The tracer sees exactly the requests a test sends, from both sides of each connection: keep-alive,
 * chunked bodies both ways, a body larger than the capture, pipelining, and concurrent clients — counted
 * in the kernel (the default), and request by request in user space (`events: true`).
 */
import { once } from 'node:events';
import { Agent, createServer, request, type Server } from 'node:http';
import { createConnection } from 'node:net';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { HttpRequest } from '../../src/tracing/http-request.js';
import type { RequestAggregate } from '../../src/tracing/request-aggregates.js';
import { type HttpTracer, traceHttp } from '../../src/tracing/trace-http.js';
import { hasBpftool, linksOf, newestProgramId } from '../helpers/bpftool.js';
import { describeEbpf, skipUnlessRequired } from '../helpers/require-ebpf.js';

let tracer: HttpTracer | undefined;
let server: Server;
let port: number;
const BIG = 200_000;

beforeEach(async () => {
  server = createServer((req, res) => {
    let body = 0;
    req.on('data', (d: Buffer) => (body += d.length));
    req.on('end', () => {
      const url = req.url ?? '/';
      if (url.startsWith('/chunked')) {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first chunk\n');
        setTimeout(() => {
          res.write('second chunk\n');
          res.end('last chunk\n');
        }, 5);
      } else if (url === '/big') {
        res.writeHead(200, { 'content-length': BIG });
        res.end(Buffer.alloc(BIG, 120));
      } else if (url.startsWith('/missing')) {
        res.writeHead(404).end('not here');
      } else if (req.method === 'DELETE') {
        res.writeHead(500).end('boom');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ url, body }));
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as { port: number }).port;
});

afterEach(async () => {
  clientPorts.clear();
  tracer?.close();
  tracer = undefined;
  server.closeAllConnections();
  server.close();
});

/** Client ports of the connections `send` used. */
const clientPorts = new Set<number>();

function send(agent: Agent, method: string, path: string, body?: string | string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent }, (res) => {
      clientPorts.add(res.socket.localPort ?? 0);
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    if (Array.isArray(body))
      for (const part of body) req.write(part); // no length: chunked
    else if (body !== undefined) req.setHeader('content-length', Buffer.byteLength(body)).write(body);
    req.end();
  });
}

/** Waits until `n` requests arrived, then a little longer to catch any that should not be there. */
async function collect(t: HttpTracer, n: number): Promise<HttpRequest[]> {
  const got: HttpRequest[] = [];
  const deadline = Date.now() + 10_000;
  while (got.length < n && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    got.push(...t.read());
  }
  await new Promise((r) => setTimeout(r, 300));
  got.push(...t.read());
  return got;
}

const summary = (rs: HttpRequest[]) => rs.map((r) => `${r.side} ${r.method} ${r.path} ${r.status}`).sort();

/** Reads the kernel's counts until they add up to `n` requests, then a little longer to catch extras. */
async function counted(t: HttpTracer, n: number): Promise<RequestAggregate[]> {
  const deadline = Date.now() + 10_000;
  const total = () => t.requestCounts().reduce((a, c) => a + c.count, 0);
  while (total() < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 300));
  return t.requestCounts();
}

/** `count × side method route status` lines of the kernel's counts, summed over the other key parts. */
function countSummary(cs: RequestAggregate[]): string[] {
  const by = new Map<string, number>();
  for (const c of cs) {
    const k = `${c.side} ${c.method} ${c.route} ${c.status}`;
    by.set(k, (by.get(k) ?? 0) + c.count);
  }
  return [...by].map(([k, n]) => `${n} × ${k}`).sort();
}

describeEbpf('traceHttp', () => {
  const keepAlivePlan: Array<[string, string, (string | string[])?]> = [
    ['GET', '/users/1'],
    ['POST', '/users', JSON.stringify({ name: 'ada' })],
    ['GET', '/missing/page?x=1'],
    ['HEAD', '/users/2'],
    ['GET', '/chunked'],
    ['PUT', '/upload', ['part one,', 'part two,', 'part three']],
    ['GET', '/big'],
    ['DELETE', '/users/42'],
    ['GET', '/users/3'],
  ];

  it('counts every request of a keep-alive connection in the kernel, from both sides, with chunked and large bodies', async () => {
    tracer = traceHttp({ pid: process.pid, ports: [port], sampleEvery: 1 });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const sent: Array<[string, string, number]> = [];
    const started = Date.now();
    for (const [method, path, body] of keepAlivePlan)
      sent.push([method, path, await send(agent, method, path, body)]);
    const elapsed = Date.now() - started;
    agent.destroy();

    const counts = await counted(tracer, 2 * keepAlivePlan.length);
    const route = (p: string) => p.split('?')[0].replace(/\/\d+$/, '/{id}');
    const expected = new Map<string, number>();
    for (const [m, p, st] of sent)
      for (const side of ['server', 'client']) {
        const k = `${side} ${m} ${route(p)} ${st}`;
        expected.set(k, (expected.get(k) ?? 0) + 1);
      }
    expect(countSummary(counts)).toEqual([...expected].map(([k, n]) => `${n} × ${k}`).sort());
    for (const c of counts) {
      expect(c.pid).toBe(process.pid);
      expect(c.port).toBe(port);
      expect(c.protocolVersion).toBe('1.1');
      expect(c.histogram.total).toBe(c.count);
      expect(c.sumNs / 1e6).toBeLessThan(elapsed * c.count + 1);
    }
    // Sampling every request: each is also an event, with its path and connection.
    const got = await collect(tracer, 2 * keepAlivePlan.length);
    expect(summary(got)).toEqual(
      sent
        .flatMap(([m, p, st]) => [
          `server ${m} ${p.split('?')[0]} ${st}`,
          `client ${m} ${p.split('?')[0]} ${st}`,
        ])
        .sort(),
    );
    expect(new Set(got.filter((r) => r.side === 'server').map((r) => r.remotePort))).toEqual(clientPorts);
    for (const r of got) {
      expect(r.durationMs).toBeGreaterThan(0);
      expect(r.durationMs).toBeLessThan(elapsed + 1);
    }
    expect(tracer.stats()).toMatchObject({ kernelDrops: 0 });
  });

  it('names and counts paths hashed in the kernel across its 8-byte steps, repeated or alternating on one connection', async () => {
    tracer = traceHttp({ pid: process.pid, ports: [port] });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const long = (n: number) => `/${'x'.repeat(n - 1)}`;
    // Lengths around the kernel's steps (7, 8, 9 bytes, 127 and 128, its most), an all-digit segment that
    // spans a step (folded, as user space names it), and paths that repeat right away (the connection's
    // last named path skips a map lookup) or after others.
    const paths = [
      '/abcdef',
      '/abcdefg',
      '/abcdefgh',
      '/a/345678',
      '/a/345678',
      '/a/999',
      '/b/12345678901234/c',
      '/b/98765432109876/c',
      '/abcdefg',
      long(127),
      long(128),
      long(127),
      '/abcdef',
    ];
    for (const p of paths) expect(await send(agent, 'GET', p)).toBe(200);
    agent.destroy();
    const route = (p: string) => p.replace(/\/\d+(?=\/|$)/g, '/{id}');
    const expected = new Map<string, number>();
    for (const p of paths)
      for (const side of ['server', 'client']) {
        const k = `${side} GET ${route(p)} 200`;
        expected.set(k, (expected.get(k) ?? 0) + 1);
      }
    const counts = await counted(tracer, 2 * paths.length);
    expect(countSummary(counts)).toEqual([...expected].map(([k, n]) => `${n} × ${k}`).sort());
  });

  it('sees every request of a keep-alive connection in user space with events: true, from both sides, with chunked and large bodies', async () => {
    const plan = keepAlivePlan;
    tracer = traceHttp({ pid: process.pid, ports: [port], events: true });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const sent: Array<[string, string, number]> = [];
    const started = Date.now();
    for (const [method, path, body] of plan) sent.push([method, path, await send(agent, method, path, body)]);
    const elapsed = Date.now() - started;
    agent.destroy();

    const got = await collect(tracer, 2 * plan.length);
    const expected = sent.flatMap(([m, p, s]) => [
      `server ${m} ${p.split('?')[0]} ${s}`,
      `client ${m} ${p.split('?')[0]} ${s}`,
    ]);
    expect(summary(got)).toEqual(expected.sort());
    expect(sent.map((s) => s[2])).toEqual([200, 200, 404, 200, 200, 200, 200, 500, 200]);
    // Keep-alive: fewer connections than requests, and the server saw the client's connections.
    expect(clientPorts.size).toBeLessThan(plan.length);
    expect(new Set(got.filter((r) => r.side === 'server').map((r) => r.remotePort))).toEqual(clientPorts);
    expect(new Set(got.filter((r) => r.side === 'client').map((r) => r.localPort))).toEqual(clientPorts);
    for (const r of got) {
      expect(r.pid).toBe(process.pid);
      expect(r.protocolVersion).toBe('1.1');
      expect(r.durationMs).toBeGreaterThan(0);
      expect(r.durationMs).toBeLessThan(elapsed + 1);
    }
    // The client's view of a request includes the server's.
    const chunked = got.filter((r) => r.path === '/chunked');
    const serverMs = chunked.find((r) => r.side === 'server')!.durationMs;
    expect(chunked.find((r) => r.side === 'client')!.durationMs).toBeGreaterThanOrEqual(serverMs);
    expect(serverMs).toBeGreaterThanOrEqual(4); // the response's last chunk came 5 ms after the first
    expect(got.find((r) => r.path === '/users/1')?.route).toBe('/users/{id}');
    expect(tracer.parserStats()).toMatchObject({ lostSync: 0, orphanTransfers: 0 });
  });

  it('pairs pipelined requests with their responses in order (events: true)', async () => {
    tracer = traceHttp({ pid: process.pid, ports: [port], side: 'server', events: true });
    const socket = createConnection({ host: '127.0.0.1', port });
    await once(socket, 'connect');
    const paths = ['/a', '/missing/b', '/c'];
    socket.write(paths.map((p) => `GET ${p} HTTP/1.1\r\nHost: x\r\n\r\n`).join(''));
    let received = '';
    socket.on('data', (d) => (received += d));
    while ((received.match(/HTTP\/1\.1 /g) ?? []).length < 3) await once(socket, 'data');
    socket.destroy();
    const got = await collect(tracer, 3);
    expect(got.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'GET /a 200',
      'GET /missing/b 404',
      'GET /c 200',
    ]);
  });

  it('counts pipelined requests that share a read by their responses, naming the first (in-kernel parsing)', async () => {
    tracer = traceHttp({ pid: process.pid, ports: [port], side: 'server' });
    const socket = createConnection({ host: '127.0.0.1', port });
    await once(socket, 'connect');
    socket.write(['/a', '/missing/b', '/c'].map((p) => `GET ${p} HTTP/1.1\r\nHost: x\r\n\r\n`).join(''));
    let received = '';
    socket.on('data', (d) => (received += d));
    while ((received.match(/HTTP\/1\.1 /g) ?? []).length < 3) await once(socket, 'data');
    socket.destroy();
    // One read carried all three requests: the kernel parses the first; the other two responses are
    // counted with their statuses, their requests as `_OTHER` (documented in HttpTracerOptions.events).
    expect(countSummary(await counted(tracer, 3))).toEqual([
      '1 × server GET /a 200',
      '1 × server _OTHER _OTHER 200',
      '1 × server _OTHER _OTHER 404',
    ]);
  });

  it('sees exactly the requests of 16 concurrent keep-alive clients', async () => {
    tracer = traceHttp({ pid: process.pid, ports: [port], side: 'server', intervalMs: 100 });
    const clients = 16;
    const perClient = 10;
    const agent = new Agent({ keepAlive: true, maxSockets: clients });
    const statuses = await Promise.all(
      Array.from({ length: clients }, async (_, c) => {
        const out: number[] = [];
        for (let i = 0; i < perClient; i++) {
          out.push(await send(agent, i % 5 === 4 ? 'DELETE' : 'GET', `/items/${c * 100 + i}`));
        }
        return out;
      }),
    );
    agent.destroy();
    const counts = await counted(tracer, clients * perClient);
    expect(statuses.flat().filter((s) => s === 500).length).toBe(clients * 2);
    expect(countSummary(counts)).toEqual(
      [
        `${clients * 2} × server DELETE /items/{id} 500`,
        `${clients * (perClient - 2)} × server GET /items/{id} 200`,
      ].sort(),
    );
    // Only requests on a path the kernel had not reported yet became events: the first of each client
    // at most (the clients start together), never all of them.
    const got = tracer.read();
    expect(got.length).toBeGreaterThanOrEqual(1);
    expect(got.length).toBeLessThanOrEqual(clients);
    expect(new Set(got.map((r) => r.route))).toEqual(new Set(['/items/{id}']));
    expect(tracer.stats()).toMatchObject({ kernelDrops: 0 });

    // The series count the same requests: rate × interval summed over points, and the error ratio.
    await new Promise((r) => setTimeout(r, 250));
    const key = { service: got[0].comm, side: 'server' as const, route: '/items/{id}' };
    const rate = tracer.series.series(key, 'rate');
    const total = rate.values.reduce((a, v) => a + v * 0.1, 0);
    expect(Math.round(total)).toBe(clients * perClient);
    const errors = tracer.series.series(key, 'errorRatio');
    const rates = rate.values;
    let errorCount = 0;
    for (let i = 0; i < rates.length; i++) if (rates[i] > 0) errorCount += errors.values[i] * rates[i] * 0.1;
    expect(Math.round(errorCount)).toBe(clients * 2);
    const p99 = tracer.series.series(key, 'p99');
    expect(p99.values.some((v) => v > 0)).toBe(true);
  });

  it('publishes http.server.request.duration and http.client.request.duration with semantic-convention attributes', async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
    const provider = new MeterProvider({ readers: [reader] });
    tracer = traceHttp({ pid: process.pid, ports: [port], meter: provider.getMeter('test') });
    const agent = new Agent({ keepAlive: true });
    await send(agent, 'GET', '/users/7');
    await send(agent, 'GET', '/missing/x');
    agent.destroy();
    await counted(tracer, 4);
    await reader.forceFlush();
    const metrics = exporter.getMetrics().flatMap((m) => m.scopeMetrics.flatMap((s) => s.metrics));
    const server = metrics.find((m) => m.descriptor.name === 'http.server.request.duration');
    const client = metrics.find((m) => m.descriptor.name === 'http.client.request.duration');
    expect(server?.descriptor.unit).toBe('s');
    const serverPoints = server!.dataPoints.map((p) => p.attributes);
    expect(serverPoints).toContainEqual(
      expect.objectContaining({
        'http.request.method': 'GET',
        'http.response.status_code': 200,
        'http.route': '/users/{id}',
        'server.port': port,
        'network.protocol.version': '1.1',
      }),
    );
    expect(serverPoints).toContainEqual(expect.objectContaining({ 'http.response.status_code': 404 }));
    // A client 404 is an error (error.type), a server 404 is not.
    expect(client!.dataPoints.map((p) => p.attributes)).toContainEqual(
      expect.objectContaining({ 'http.response.status_code': 404, 'error.type': '404', 'server.port': port }),
    );
    expect(serverPoints.every((a) => !('error.type' in a))).toBe(true);
    await provider.shutdown();
  });

  it('validates options before loading anything, and detaches everything on close', () => {
    const since = hasBpftool ? newestProgramId() : 0;
    const programs = ['http_sock_state', 'http_sock_recv', 'http_sock_send'];
    const links = () => programs.map((p) => linksOf(p, since));
    const before = hasBpftool ? links() : [0, 0, 0];
    for (const bad of [
      { pid: -1 },
      { pid: [] },
      { ports: [70000] },
      { side: 'sideways' },
      { routes: ['users'] },
      { sampleEvery: -1 },
      { events: 'yes' },
      { ringBytes: 3000 },
      { maxBuffered: -1 },
    ]) {
      expect(() => traceHttp(bad as never)).toThrow(expect.objectContaining({ code: 'EBPF_INPUT' }));
    }
    if (skipUnlessRequired(!hasBpftool)) return;
    expect(links()).toEqual(before);
    const t = traceHttp({ pid: process.pid });
    expect(links()).toEqual(before.map((n) => n + 1));
    t.close();
    expect(links()).toEqual(before);
    // Counters stay readable after close (as of the close).
    expect(t.parserStats().requests).toBe(0);
    expect(t.requestCounts()).toEqual([]);
    t.close();
  });
});
