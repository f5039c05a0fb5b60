import { createConnection, createServer } from 'node:net';
import {
  AggregationTemporality,
  MeterProvider,
  MetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { afterEach, expect, it } from 'vitest';
import { watchProcesses } from '../../src/probes/process-probe.js';
import { watchSyscalls } from '../../src/probes/syscall-probe.js';
import { watchTcp } from '../../src/probes/tcp-probe.js';
import { run, uniqueMarker } from '../helpers/processes.js';
import { describeEbpf } from '../helpers/require-ebpf.js';

class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

type Point = { attributes: Record<string, unknown>; value: unknown };
function points(metrics: ResourceMetrics, name: string): Point[] {
  const out: Point[] = [];
  for (const scope of metrics.scopeMetrics) {
    for (const m of scope.metrics) if (m.descriptor.name === name) out.push(...(m.dataPoints as Point[]));
  }
  return out;
}

const closers: Array<{ close(): void }> = [];
afterEach(() => {
  for (const c of closers.splice(0)) c.close();
});

describeEbpf('OpenTelemetry publishing', () => {
  it('publishes process execs, exits by code and lifetimes', async () => {
    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader] });
    const probe = watchProcesses({ meter: provider.getMeter('test') });
    closers.push(probe);
    const marker = uniqueMarker('vigil-otel');
    const child = await run('/bin/sh', ['-c', 'exit 3', marker]);
    await probe.waitFor((e) => e.type === 'exit' && e.pid === child.pid);
    const { resourceMetrics } = await reader.collect();
    const exits = points(resourceMetrics, 'vigil.process.exits').filter(
      (p) => p.attributes['process.exit.code'] === 3,
    );
    expect(exits.length).toBeGreaterThanOrEqual(1);
    expect(exits[0].attributes['process.executable.name']).toBe('sh');
    expect(
      points(resourceMetrics, 'vigil.process.execs').some(
        (p) => p.attributes['process.executable.name'] === 'sh',
      ),
    ).toBe(true);
    const lifetime = points(resourceMetrics, 'vigil.process.lifetime').find(
      (p) => p.attributes['process.executable.name'] === 'sh',
    );
    expect((lifetime?.value as { count: number } | undefined)?.count).toBeGreaterThanOrEqual(1);
    await provider.shutdown();
  });

  it('publishes TCP connections, handshake time and bytes by direction', async () => {
    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader] });
    const probe = watchTcp({ meter: provider.getMeter('test') });
    closers.push(probe);
    const server = createServer((s) => s.end(Buffer.alloc(300)));
    closers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => {
      const c = createConnection({ port, host: '127.0.0.1' });
      c.on('data', () => {});
      c.on('end', () => c.end());
      c.on('close', () => resolve());
    });
    await probe.waitFor((e) => e.type === 'close' && e.localPort === port);
    const { resourceMetrics } = await reader.collect();
    const outbound = points(resourceMetrics, 'vigil.tcp.connections').find(
      (p) => p.attributes['network.connection.direction'] === 'outbound',
    );
    expect(outbound?.value).toBeGreaterThanOrEqual(1);
    const handshake = points(resourceMetrics, 'vigil.tcp.handshake.duration');
    expect(handshake.length).toBeGreaterThanOrEqual(1);
    const transmitted = points(resourceMetrics, 'vigil.tcp.io').find(
      (p) => p.attributes['network.io.direction'] === 'transmit',
    );
    expect(transmitted?.value).toBeGreaterThanOrEqual(300);
    await provider.shutdown();
  });

  it('publishes syscall counts as observable counters read at collection', async () => {
    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader] });
    const probe = watchSyscalls({ pid: process.pid, meter: provider.getMeter('test') });
    closers.push(probe);
    for (let i = 0; i < 500; i++) void process.ppid;
    const { resourceMetrics } = await reader.collect();
    const calls = points(resourceMetrics, 'vigil.syscall.calls');
    expect(calls.every((p) => p.attributes['process.pid'] === process.pid)).toBe(true);
    if (process.arch === 'x64') {
      expect(calls.find((p) => p.attributes['system.syscall.number'] === 110)?.value).toBe(500);
    }
    await provider.shutdown();
  });
});
