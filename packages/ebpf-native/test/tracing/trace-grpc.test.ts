/**
 * gRPC over cleartext HTTP/2 with @grpc/grpc-js on both ends: the tracer sees each unary call once from
 * each side, with service, method and the grpc-status of its trailers, including errors and a response
 * of 12 kB — with the frames walked in the kernel (only header blocks reach user space; 1 MB messages
 * cost no copy) and with every transfer's head copied (`events: true`).
 */
import {
  credentials,
  makeGenericClientConstructor,
  Server,
  ServerCredentials,
  type ServiceDefinition,
  status,
} from '@grpc/grpc-js';
import { afterEach, expect, it } from 'vitest';
import type { HttpRequest } from '../../src/tracing/http-request.js';
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

      const got: HttpRequest[] = [];
      const deadline = Date.now() + 10_000;
      while (got.length < 12 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
        got.push(...tracer.read());
      }
      await new Promise((r) => setTimeout(r, 300));
      got.push(...tracer.read());
      const seen = got
        .map((r) => `${r.side} ${r.grpc?.service}/${r.grpc?.method} ${r.grpc?.statusCode}`)
        .sort();
      const expected = ['Get 0', 'Get 0', 'Get 5', 'Put 13', 'Get 0', 'Get 0'].flatMap((s) => {
        const [m, c] = s.split(' ');
        return [`client vigil.test.Store/${m} ${c}`, `server vigil.test.Store/${m} ${c}`];
      });
      expect(seen).toEqual(expected.sort());
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

    const got: HttpRequest[] = [];
    const deadline = Date.now() + 15_000;
    while (got.length < 2 * (calls + 1) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      got.push(...tracer.read());
    }
    await new Promise((r) => setTimeout(r, 300));
    got.push(...tracer.read());
    for (const side of ['server', 'client'] as const) {
      const mine = got.filter((r) => r.side === side);
      expect(mine.length).toBe(calls + 1);
      expect(mine.filter((r) => r.grpc?.statusCode === status.INTERNAL).length).toBe(calls / 10);
    }
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

    const got: HttpRequest[] = [];
    const deadline = Date.now() + 10_000;
    while (got.length < 2 * calls && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      got.push(...tracer.read());
    }
    for (const side of ['server', 'client'] as const) {
      const mine = got.filter((r) => r.side === side);
      expect(mine.map((r) => `${r.grpc?.method} ${r.grpc?.statusCode}`)).toEqual([
        ...Array(calls - 1).fill('Get 0'),
        'Put 13',
      ]);
    }
    // 2 × 8 × 2 MB crossed the connection (each side's reads and writes are traced); the ring carried the
    // frame headers of HEADERS frames and their blocks (a few hundred bytes per call and side), and the
    // records' own headers: far under 1 % of it.
    const transferred = 2 * calls * 2 * MB;
    expect(tracer.stats().bytes).toBeGreaterThan(0);
    expect(tracer.stats().bytes).toBeLessThan(transferred / 100);
    expect(tracer.parserStats().lostSync).toBe(0);
  });
});
