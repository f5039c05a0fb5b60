import { createConnection, createServer, type Server } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import type { EventProbe } from '../../src/probes/event-probe.js';
import { type TcpEvent, watchTcp } from '../../src/probes/tcp-probe.js';
import { describeEbpf } from '../helpers/require-ebpf.js';

let probe: EventProbe<TcpEvent> | undefined;
let server: Server | undefined;
afterEach(() => {
  probe?.close();
  server?.close();
});

describeEbpf('watchTcp', () => {
  it('reports connect, accept and both closes of a local connection with bytes and handshake time', async () => {
    probe = watchTcp();
    server = createServer((socket) => {
      let got = 0;
      socket.on('data', (d) => {
        got += d.length;
        if (got >= 1000) socket.end(Buffer.alloc(500, 2));
      });
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const started = Date.now();
    const clientPort = await new Promise<number>((resolve, reject) => {
      const c = createConnection({ port, host: '127.0.0.1' }, () => c.write(Buffer.alloc(1000, 1)));
      let local = 0;
      c.on('connect', () => (local = c.localPort ?? 0));
      c.on('data', () => {});
      c.on('end', () => c.end());
      c.on('close', () => resolve(local));
      c.on('error', reject);
    });

    const connect = await probe.waitFor(
      (e) => e.type === 'connect' && e.remotePort === port && e.localPort === clientPort,
    );
    expect(connect).toMatchObject({
      pid: process.pid,
      family: 'ipv4',
      localAddress: '127.0.0.1',
      remoteAddress: '127.0.0.1',
    });
    expect(connect?.durationMs).toBeGreaterThan(0);
    expect(connect?.durationMs).toBeLessThan(Date.now() - started + 1);

    const accept = await probe.waitFor(
      (e) => e.type === 'accept' && e.localPort === port && e.remotePort === clientPort,
    );
    expect(accept).toBeDefined();

    const clientClose = await probe.waitFor((e) => e.type === 'close' && e.localPort === clientPort);
    expect(clientClose).toMatchObject({
      pid: process.pid,
      bytesSent: 1000,
      bytesReceived: 500,
      retransmits: 0,
    });
    const serverClose = await probe.waitFor(
      (e) => e.type === 'close' && e.localPort === port && e.remotePort === clientPort,
    );
    expect(serverClose).toMatchObject({ bytesSent: 500, bytesReceived: 1000 });
    expect(serverClose?.durationMs).toBeGreaterThan(0);
  });
});
