/**
 * The demo's service, run as its own process: an HTTP API instrumented with the OpenTelemetry SDK (metrics exported
 * with the SDK's default OTLP/HTTP protobuf exporter), whose faults the parent switches on and off over IPC.
 */
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { createRng } from '@vigil/core';

// The kernel's name for this process (comm): the eBPF tracer names the service by it.
process.title = 'shop';
const endpoint = process.env.OTLP_ENDPOINT!;
const exportMs = Number(process.env.EXPORT_INTERVAL_MS ?? 250);
const rng = createRng(42);

const provider = new MeterProvider({
  resource: resourceFromAttributes({ 'service.name': 'shop' }),
  readers: [
    new PeriodicExportingMetricReader({
      exporter: new OTLPMetricExporter({ url: `${endpoint}/v1/metrics` }),
      exportIntervalMillis: exportMs,
    }),
  ],
});
const meter = provider.getMeter('demo-shop');
const duration = meter.createHistogram('http.server.request.duration', { unit: 'ms' });
const requests = meter.createCounter('http.server.requests');
// The share of requests that failed over the last two seconds.
const recent: Array<[number, boolean]> = [];
meter.createObservableGauge('http.server.error_ratio', { unit: '1' }).addCallback((r) => {
  const since = performance.now() - 2000;
  while (recent.length > 0 && recent[0][0] < since) recent.shift();
  if (recent.length > 0) r.observe(recent.filter(([, failed]) => failed).length / recent.length);
});

const faults = new Set<string>();
process.on('message', (m: { fault: string; on: boolean }) => {
  if (m.on) faults.add(m.fault);
  else faults.delete(m.fault);
});

// CPU: the share of wall time this process spent on CPU since the last collection.
let lastCpu = process.cpuUsage();
let lastWall = performance.now();
meter.createObservableGauge('process.cpu.utilization', { unit: '1' }).addCallback((r) => {
  const cpu = process.cpuUsage();
  const wall = performance.now();
  const used = (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000;
  r.observe(used / Math.max(1, wall - lastWall));
  lastCpu = cpu;
  lastWall = wall;
});
meter
  .createObservableGauge('process.memory.usage', { unit: 'By' })
  .addCallback((r) => r.observe(process.memoryUsage().rss));

// Disk: a data volume holding 150 MB plus the log file the "disk filling" fault grows.
const dir = mkdtempSync(join(tmpdir(), 'vigil-demo-'));
const log = join(dir, 'app.log');
const fd = openSync(log, 'w');
meter
  .createObservableGauge('system.filesystem.usage', { unit: 'By' })
  .addCallback((r) => r.observe(150e6 + statSync(log).size + 2e5 * rng.next()));

const leaked: Buffer[] = [];
const chunk = Buffer.alloc(1 << 20, 7);
setInterval(() => {
  if (faults.has('memory leak')) for (let k = 0; k < 3; k++) leaked.push(Buffer.alloc(1 << 20, k));
  if (faults.has('disk filling')) for (let k = 0; k < 1; k++) writeSync(fd, chunk.subarray(0, 800_000));
  if (faults.has('CPU hog')) {
    const until = performance.now() + 70;
    while (performance.now() < until) Math.sqrt(rng.next());
  }
}, 100);

const server = createServer((_req, res) => {
  const start = performance.now();
  const slow = faults.has('latency spike') ? 120 : 0;
  // A little work and jitter, as a real handler has.
  const delay = 2 + 3 * rng.next() + slow;
  setTimeout(() => {
    const failed = rng.next() < (faults.has('error burst') ? 0.4 : 0.03);
    res.writeHead(failed ? 500 : 200, { 'content-type': 'application/json' });
    res.end(failed ? '{"error":"upstream"}' : '{"ok":true}');
    duration.record(performance.now() - start, { 'http.route': '/api/checkout' });
    requests.add(1);
    recent.push([performance.now(), failed]);
  }, delay);
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.send!({ port: (server.address() as AddressInfo).port });
});

process.on('disconnect', async () => {
  server.close();
  // Vigil has stopped taking data by now (503 with Retry-After): one last try, not the exporter's retries.
  await Promise.race([provider.shutdown().catch(() => undefined), new Promise((r) => setTimeout(r, 300))]);
  closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
});
