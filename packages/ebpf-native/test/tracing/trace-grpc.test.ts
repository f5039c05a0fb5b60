/**
 * gRPC over cleartext HTTP/2 with @grpc/grpc-js on both ends: the tracer counts each unary call once from
 * each side, with service, method and the grpc-status of its trailers, including errors and a response
 * of 12 kB — with the frames walked and calls counted in the kernel (only header blocks not seen before
 * reach user space; 1 MB messages cost no copy; the steady state of a channel reaches user space not at
 * all) and with every transfer's head copied (`events: true`).
 */
import {
  credentials,
  Metadata,
  makeGenericClientConstructor,
  Server,
  ServerCredentials,
  type ServiceDefinition,
  status,
} from '@grpc/grpc-js';
import { afterEach, expect, it } from 'vitest';
import type { HttpRequest } from '../../src/tracing/http-request.js';
import type { RequestAggregate } from '../../src/tracing/request-aggregates.js';
import { type HttpTracer, traceHttp } from '../../src/tracing/trace-http.js';
import { describeEbpf } from '../helpers/require-ebpf.js';

const json = {
  serialize: (value: unknown) => Buffer.from(JSON.stringify(value)),
  deserialize: (bytes: Buffer) => JSON.parse(bytes.toString('utf8')),
};
const method = (name: string) => ({
  path: `/vigil.test.Store/${name}`,
  requestStream: false,
  responseStream: false,
  requestSerialize: json.serialize,
  requestDeserialize: json.deserialize,
  responseSerialize: json.serialize,
  responseDeserialize: json.deserialize,
});
const service: ServiceDefinition = { Get: method('Get'), Put: method('Put') };

let tracer: HttpTracer | undefined;
let server: Server | undefined;
afterEach(() => {
  tracer?.close();
  server?.forceShutdown();
});

type Unary = (req: unknown, cb: (e: { code?: number } | null, res?: unknown) => void) => void;

/** `side service/method grpc-status ×count` lines of the tracer's counts, summed over the other key parts. */
function countSummary(cs: RequestAggregate[]): string[] {
  const by = new Map<string, number>();
  for (const c of cs) {
    const id = `${c.side} ${c.grpc?.service}/${c.grpc?.method} ${c.grpc?.statusCode}`;
    by.set(id, (by.get(id) ?? 0) + c.count);
  }
  return [...by].map(([id, n]) => `${id} ×${n}`).sort();
}

/** Reads the tracer's counts until they add up to `n` calls, then a little longer to catch extras. */
async function counted(t: HttpTracer, n: number): Promise<RequestAggregate[]> {
  const deadline = Date.now() + 10_000;
  const total = () => t.requestCounts().reduce((a, c) => a + c.count, 0);
  while (total() < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 300));
  return t.requestCounts();
}

/** The tracer's events, once the last ones have had time to arrive. */
async function drain(t: HttpTracer): Promise<HttpRequest[]> {
  const got: HttpRequest[] = [];
  await new Promise((r) => setTimeout(r, 300));
  got.push(...t.read());
  return got;
}

describeEbpf('traceHttp on gRPC', () => {
  // Default: frames walked in the kernel, header blocks only to user space; events: true copies the heads
  // of every transfer and frames them in user space.
  it.each([
    { mode: 'frames walked in the kernel', events: false },
    { mode: 'transfers copied (events: true)', events: true },
  ])(
    'sees unary calls with OK and error statuses from both sides, with service and method ($mode)',
    async ({ events }) => {
      server = new Server();
      server.addService(service, {
        Get: (call: { request: { key: string } }, cb: (e: unknown, r?: unknown) => void) => {
          if (call.request.key === 'missing') cb({ code: status.NOT_FOUND, details: 'no such key' });
          else if (call.request.key === 'big') cb(null, { value: 'v'.repeat(12_000) });
          else cb(null, { value: call.request.key.toUpperCase() });
        },
        Put: (_call: unknown, cb: (e: unknown) => void) =>
          cb({ code: status.INTERNAL, details: 'disk full' }),
      });
      const port = await new Promise<number>((resolve, reject) =>
        server!.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) =>
          e ? reject(e) : resolve(p),
        ),
      );
      tracer = traceHttp({ pid: process.pid, ports: [port], events });
      const Client = makeGenericClientConstructor(service, 'Store');
      const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure()) as unknown as Record<
        string,
        Unary
      >;
      const call = (name: string, request: unknown) =>
        new Promise<number>((resolve) => client[name](request, (e) => resolve(e?.code ?? status.OK)));
      const codes: number[] = [];
      for (const [name, key] of [
        ['Get', 'a'],
        ['Get', 'b'],
        ['Get', 'missing'],
        ['Put', 'x'],
        ['Get', 'big'],
        ['Get', 'c'],
      ]) {
        codes.push(await call(name, { key }));
      }
      expect(codes).toEqual([0, 0, 5, 13, 0, 0]);
      (client as unknown as { close(): void }).close();

      // Exact counts from the kernel's aggregates and the calls completed in user space together.
      const counts = await counted(tracer, 12);
      expect(countSummary(counts)).toEqual(
        ['Get 0 ×4', 'Get 5 ×1', 'Put 13 ×1']
          .flatMap((x) => [`client vigil.test.Store/${x}`, `server vigil.test.Store/${x}`])
          .sort(),
      );
      for (const c of counts) {
        expect(c).toMatchObject({
          protocolVersion: '2',
          method: 'POST',
          status: 200,
          pid: process.pid,
          port,
        });
        expect(c.route).toBe(`/vigil.test.Store/${c.grpc?.method}`);
        expect(c.sumNs).toBeGreaterThan(0);
      }
      // Events: every call with events: true; otherwise the calls the kernel could not count by itself
      // (their blocks not named yet), at least the first one of each side.
      const got = await drain(tracer);
      if (events) expect(got.length).toBe(12);
      else expect(got.length).toBeGreaterThanOrEqual(2);
      for (const r of got) {
        expect(r).toMatchObject({ protocolVersion: '2', method: 'POST', status: 200, pid: process.pid });
        expect(r.route).toBe(`/vigil.test.Store/${r.grpc?.method}`);
        expect(r.durationMs).toBeGreaterThan(0);
      }
      expect(tracer.parserStats().lostSync).toBe(0);
    },
  );
  it('keeps frame sync when hundreds of calls share one connection at once (writes and reads of many KiB)', async () => {
    server = new Server();
    server.addService(service, {
      Get: (call: { request: { key: string } }, cb: (e: unknown, r?: unknown) => void) =>
        cb(null, { value: call.request.key.repeat(20) }),
      Put: (_call: unknown, cb: (e: unknown) => void) => cb({ code: status.INTERNAL, details: 'disk full' }),
    });
    const port = await new Promise<number>((resolve, reject) =>
      server!.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    tracer = traceHttp({ pid: process.pid, ports: [port], ringBytes: 1 << 24 });
    const Client = makeGenericClientConstructor(service, 'Store');
    const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure()) as unknown as Record<
      string,
      Unary
    >;
    const call = (name: string, request: unknown) =>
      new Promise<number>((resolve) => client[name](request, (e) => resolve(e?.code ?? status.OK)));
    await call('Get', { key: 'warm' }); // the connection and its HPACK tables exist before the burst
    const calls = 600;
    // Issued in one tick: grpc-js batches their frames into few large writes, and the server's reads
    // (up to 64 KiB each) carry hundreds of frames.
    const codes = await Promise.all(
      Array.from({ length: calls }, (_, i) => call(i % 10 === 9 ? 'Put' : 'Get', { key: `k${i}` })),
    );
    expect(codes.filter((c) => c === status.INTERNAL).length).toBe(calls / 10);
    (client as unknown as { close(): void }).close();

    const counts = countSummary(await counted(tracer, 2 * (calls + 1)));
    expect(counts).toEqual(
      [`Get 0 ×${calls - calls / 10 + 1}`, `Put 13 ×${calls / 10}`]
        .flatMap((x) => [`client vigil.test.Store/${x}`, `server vigil.test.Store/${x}`])
        .sort(),
    );
    expect(tracer.parserStats().lostSync).toBe(0);
    expect(tracer.stats().kernelDrops).toBe(0);
  });

  it('copies header blocks to user space, not the messages: 1 MB each way per call, a few hundred bytes seen', async () => {
    const MB = 1 << 20;
    server = new Server({
      'grpc.max_receive_message_length': 4 * MB,
      'grpc.max_send_message_length': 4 * MB,
    });
    server.addService(service, {
      Get: (call: { request: { key: string } }, cb: (e: unknown, r?: unknown) => void) =>
        cb(null, { value: 'v'.repeat(call.request.key.length) }),
      Put: (_call: unknown, cb: (e: unknown) => void) => cb({ code: status.INTERNAL, details: 'disk full' }),
    });
    const port = await new Promise<number>((resolve, reject) =>
      server!.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    tracer = traceHttp({ pid: process.pid, ports: [port] });
    const Client = makeGenericClientConstructor(service, 'Store');
    const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure(), {
      'grpc.max_receive_message_length': 4 * MB,
      'grpc.max_send_message_length': 4 * MB,
    }) as unknown as Record<string, Unary>;
    const call = (name: string, request: unknown) =>
      new Promise<number>((resolve) => client[name](request, (e) => resolve(e?.code ?? status.OK)));
    const calls = 8;
    const codes: number[] = [];
    for (let i = 0; i < calls; i++)
      codes.push(await call(i === calls - 1 ? 'Put' : 'Get', { key: 'k'.repeat(MB) }));
    expect(codes).toEqual([...Array(calls - 1).fill(status.OK), status.INTERNAL]);
    (client as unknown as { close(): void }).close();

    expect(countSummary(await counted(tracer, 2 * calls))).toEqual(
      [`Get 0 ×${calls - 1}`, 'Put 13 ×1']
        .flatMap((x) => [`client vigil.test.Store/${x}`, `server vigil.test.Store/${x}`])
        .sort(),
    );
    // 2 × 8 × 2 MB crossed the connection (each side's reads and writes are traced); the ring carried the
    // frame headers of HEADERS frames and their blocks (a few hundred bytes per call and side), and the
    // records' own headers: far under 1 % of it.
    const transferred = 2 * calls * 2 * MB;
    expect(tracer.stats().bytes).toBeGreaterThan(0);
    expect(tracer.stats().bytes).toBeLessThan(transferred / 100);
    expect(tracer.parserStats().lostSync).toBe(0);
  });

  it('counts many identical calls on one channel exactly, in the kernel: a handful of header blocks reach user space', async () => {
    server = new Server();
    server.addService(service, {
      Get: (call: { request: { key: string } }, cb: (e: unknown, r?: unknown) => void) =>
        call.request.key === 'missing'
          ? cb({ code: status.NOT_FOUND, details: 'no such key' })
          : cb(null, { value: call.request.key }),
      Put: (_call: unknown, cb: (e: unknown) => void) => cb({ code: status.INTERNAL, details: 'disk full' }),
    });
    const port = await new Promise<number>((resolve, reject) =>
      server!.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    tracer = traceHttp({ pid: process.pid, ports: [port], side: 'server' });
    const Client = makeGenericClientConstructor(service, 'Store');
    const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure()) as unknown as Record<
      string,
      Unary
    >;
    const call = (name: string, request: unknown) =>
      new Promise<number>((resolve) => client[name](request, (e) => resolve(e?.code ?? status.OK)));
    // One call of each kind, then a pause: their blocks reach user space, which names them.
    expect(await call('Get', { key: 'k' })).toBe(status.OK);
    expect(await call('Get', { key: 'missing' })).toBe(status.NOT_FOUND);
    expect(await call('Get', { key: 'k' })).toBe(status.OK);
    expect(await call('Get', { key: 'missing' })).toBe(status.NOT_FOUND);
    await new Promise((r) => setTimeout(r, 300));
    const before = { ...tracer.parserStats(), records: tracer.stats().received };
    // The steady state: the same request, response and trailer blocks call after call. (The server's
    // `date` header changes each second, which changes its HPACK table: a few blocks then reach user space
    // again.)
    const calls = 1000;
    let notFound = 0;
    for (let i = 0; i < calls; i++) {
      const missing = i % 4 === 3;
      const code = await call('Get', { key: missing ? 'missing' : 'k' });
      expect(code).toBe(missing ? status.NOT_FOUND : status.OK);
      if (missing) notFound++;
    }
    (client as unknown as { close(): void }).close();

    const counts = countSummary(await counted(tracer, calls + 4));
    expect(counts).toEqual([
      `server vigil.test.Store/Get 0 ×${calls - notFound + 2}`,
      `server vigil.test.Store/Get 5 ×${notFound + 2}`,
    ]);
    const after = tracer.parserStats();
    const blocks = after.headerBlocks - before.headerBlocks;
    const records = tracer.stats().received - before.records;
    console.log(`${calls} calls: ${blocks} header blocks and ${records} records reached user space`);
    expect(blocks).toBeLessThan(30);
    expect(records).toBeLessThan(calls / 20);
    expect(after.lostSync).toBe(0);
  });

  it('counts calls whose header blocks the kernel cannot key (2 KB of metadata: sent as frames) exactly', async () => {
    server = new Server();
    server.addService(service, {
      Get: (call: { request: { key: string } }, cb: (e: unknown, r?: unknown) => void) =>
        cb(null, { value: call.request.key }),
      Put: (_call: unknown, cb: (e: unknown) => void) => cb({ code: status.INTERNAL, details: 'disk full' }),
    });
    const port = await new Promise<number>((resolve, reject) =>
      server!.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    tracer = traceHttp({ pid: process.pid, ports: [port] });
    const Client = makeGenericClientConstructor(service, 'Store');
    const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure()) as unknown as Record<
      string,
      (req: unknown, md: Metadata, cb: (e: { code?: number } | null) => void) => void
    >;
    const call = (name: string, big: number) =>
      new Promise<number>((resolve) => {
        const md = new Metadata();
        // A value that changes per call: a new 2 KB entry in the dynamic table each time.
        if (big) md.set('x-big', `${big}`.padEnd(2000, 'b'));
        client[name]({ key: 'k' }, md, (e) => resolve(e?.code ?? status.OK));
      });
    const codes: number[] = [];
    for (let i = 0; i < 40; i++) codes.push(await call(i % 5 === 4 ? 'Put' : 'Get', i % 2 ? i : 0));
    expect(codes.filter((c) => c === status.INTERNAL).length).toBe(8);
    (client as unknown as { close(): void }).close();
    expect(countSummary(await counted(tracer, 80))).toEqual(
      ['Get 0 ×32', 'Put 13 ×8']
        .flatMap((x) => [`client vigil.test.Store/${x}`, `server vigil.test.Store/${x}`])
        .sort(),
    );
    expect(tracer.parserStats().lostSync).toBe(0);
  });
});
