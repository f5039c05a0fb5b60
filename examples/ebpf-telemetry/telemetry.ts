/**
 * Zero-code telemetry for this host: process, TCP and run-queue probes published as OpenTelemetry
 * metrics, plus the run-queue p99 as a Vigil series ready for a detector.
 */
import { spawn } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import {
  AggregationTemporality,
  MeterProvider,
  MetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { type Series, watchProcesses, watchRunQueueLatency, watchTcp } from '@vigil/ebpf-native';

/** Collects on demand; a service would use an OTLP exporter with a PeriodicExportingMetricReader instead. */
class OnDemandReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** What one run observed. */
export interface TelemetrySummary {
  seconds: number;
  execs: number;
  exits: number;
  failedExits: number;
  tcpConnects: number;
  tcpBytesSent: number;
  runQueueP99Ms: Series;
  /** Metric name → number of data points exported. */
  metrics: Record<string, number>;
  kernelDrops: number;
}

/** Some activity of our own so a short run has something to show: a failing child and a TCP round trip. */
async function makeActivity(): Promise<void> {
  await new Promise((resolve) => spawn('/bin/sh', ['-c', 'exit 3'], { stdio: 'ignore' }).on('exit', resolve));
  const server = createServer((s) => s.end('hello from the example\n'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => {
    const c = createConnection({ port, host: '127.0.0.1' }, () => c.write('ping'));
    c.on('data', () => {});
    c.on('end', () => c.end());
    c.on('close', () => resolve());
  });
  server.close();
}

function countPoints(metrics: ResourceMetrics): Record<string, number> {
  const out: Record<string, number> = {};
  for (const scope of metrics.scopeMetrics) {
    for (const m of scope.metrics) out[m.descriptor.name] = m.dataPoints.length;
  }
  return out;
}

/** Runs the probes for `seconds`, then closes them and returns what they saw. */
export async function runTelemetry(seconds: number): Promise<TelemetrySummary> {
  const reader = new OnDemandReader();
  const provider = new MeterProvider({ readers: [reader] });
  const meter = provider.getMeter('vigil-example-ebpf-telemetry');
  const processes = watchProcesses({ meter });
  const tcp = watchTcp({ meter });
  const runQueue = watchRunQueueLatency({ meter, intervalMs: 250 });
  const summary = { execs: 0, exits: 0, failedExits: 0, tcpConnects: 0, tcpBytesSent: 0 };
  processes.onEvents((events) => {
    for (const e of events) {
      if (e.type === 'exec') summary.execs++;
      else {
        summary.exits++;
        if (e.exitCode !== 0 || e.signal !== 0) summary.failedExits++;
      }
    }
  });
  tcp.onEvents((events) => {
    for (const e of events) {
      if (e.type === 'connect') summary.tcpConnects++;
      if (e.type === 'close') summary.tcpBytesSent += e.bytesSent;
    }
  });
  try {
    await makeActivity();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const { resourceMetrics } = await reader.collect();
    // The buffers behind read() are not needed here: the listeners above saw every event.
    processes.read();
    tcp.read();
    return {
      seconds,
      ...summary,
      runQueueP99Ms: runQueue.quantileSeries(0.99),
      metrics: countPoints(resourceMetrics),
      kernelDrops: processes.stats().kernelDrops + tcp.stats().kernelDrops,
    };
  } finally {
    processes.close();
    tcp.close();
    runQueue.close();
    await provider.shutdown();
  }
}
