/**
 * Vigil's main job, end to end in under two minutes: a shop API instrumented with the OpenTelemetry SDK (its default
 * OTLP/HTTP protobuf exporter) runs under load and exports to `vigil serve`; after a quiet warm-up the demo injects
 * five faults one after another — a latency spike, an error burst, a CPU hog, a memory leak and a disk filling up.
 * Vigil learns normal behaviour, reports incidents (with their likely root cause) and forecasts as they happen, and
 * at the end a table sets the faults injected against what was found, with the detection delay and false alarms,
 * and an HTML report plots the key series. Run as root on a host with eBPF, `vigil serve` also traces the shop's HTTP
 * server from the kernel (no code in the shop) and the host's run-queue latency, into the same pipeline.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { htmlReport, parseConfig, VigilService } from '@vigil/server';
import { activeFaults, FAULTS, RUN_SECONDS } from './faults.js';
import { RunLog } from './run-log.js';

const here = dirname(fileURLToPath(import.meta.url));
const tty = process.stdout.isTTY === true;
const t0 = Date.now();
const secs = (ms: number) => ((ms - t0) / 1000).toFixed(0).padStart(3);
const log = new RunLog();

/** Prints a line above the progress line (which is redrawn on a terminal). */
function say(line: string) {
  process.stdout.write(tty ? `\r\x1b[2K${line}\n` : `${line}\n`);
}

/** A free TCP port on 127.0.0.1, so the eBPF tracer can be told the shop's port before the shop starts. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
const shopPort = await freePort();

const config = parseConfig({
  receivers: { otlpHttp: { host: '127.0.0.1', port: 0 }, otlpGrpc: { enabled: false } },
  admin: { host: '127.0.0.1', port: 0 },
  // 4 points a second per series: 140 points of warm-up is 35 s of normal behaviour for the default ensemble.
  // Memory is a level that should not climb: a rolling z-score (2 minutes of points) reacts to a climb at once,
  // where the recommended ensemble, used for every other series, learns slow level changes as normal. It judges
  // climbs only: the heap's drops at garbage collections are good news, and judged too they would teach the
  // detector that departures as large as a leak's are ordinary.
  pipeline: {
    warmup: 140,
    incidentWindowMs: 3_000,
    detectors: [
      { match: 'shop/process.memory.usage', kind: 'zscore', options: { window: 120, direction: 'up' } },
    ],
  },
  maintenance: [
    {
      match: 'shop/system.filesystem.usage',
      type: 'exhaustion',
      capacity: 400e6,
      horizonSeconds: 300,
      window: 40,
      every: 4,
    },
  ],
  outputs: { console: { enabled: false } },
  // As root on a host with eBPF: the shop's requests traced from the kernel; otherwise the reason is printed and the
  // demo runs on OTLP alone. The host's run queue stays off here: it measures every process on the machine, and the
  // demo should judge the shop, not whatever else the host is running.
  ebpf: { enabled: 'auto', intervalMs: 250, runQueue: { enabled: false }, http: { ports: [shopPort] } },
});

const service = await VigilService.start(config, {
  write: say,
  onScore: (key, t, value, score) => log.point(key, t, value, score),
  outputs: [
    {
      name: 'demo',
      onEvent: (event, change) => log.event(event, change),
      onIncident: (incident, change) => {
        if (change === 'closed') return;
        const fresh = log.incident(incident);
        if (fresh.length === 0) return;
        const shown = fresh.map((f) => f.series.replace('shop/', '')).join(', ');
        const root = incident.rootCauses?.causes[0]?.seriesKey.replace('shop/', '');
        say(
          `[${secs(fresh[0].at)}s] INCIDENT ${incident.id} ${change === 'opened' ? 'opened' : 'grows'}: ${shown}${root ? ` — likely root: ${root}` : ''}`,
        );
      },
      onForecast: (forecast) => {
        if (forecast.state !== 'firing') return;
        const f = log.forecast(forecast);
        say(`[${secs(f.at)}s] FORECAST ${forecast.check}: ${forecast.summary}`);
      },
    },
  ],
});
say(`vigil serve is up: OTLP/HTTP ${service.http!.url}/v1/metrics, admin ${service.admin!.url}/metrics`);

// The shop runs as its own process, so its CPU and memory are its own.
const shop: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(here, 'demo-service.ts')], {
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  env: {
    ...process.env,
    OTLP_ENDPOINT: service.http!.url,
    EXPORT_INTERVAL_MS: '250',
    PORT: String(shopPort),
  },
});
const port = await new Promise<number>((resolve, reject) => {
  shop.once('message', (m: { port: number }) => resolve(m.port));
  shop.once('exit', (code) => reject(new Error(`the demo shop exited with ${code}`)));
});
say(`shop API on http://127.0.0.1:${port}, exporting OTLP protobuf every 250 ms; load: 60 requests/s`);

// Load: 60 requests a second from a process of its own.
const loader = spawn(process.execPath, ['--import', 'tsx', join(here, 'load.ts')], {
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  env: { ...process.env, PORT: String(port), RATE: '60' },
});

// The fault schedule, and a progress line once a second.
let on = new Set<string>();
const started = new Map<string, number>();
await new Promise<void>((resolve) => {
  const tick = setInterval(() => {
    const t = (Date.now() - t0) / 1000;
    const now = activeFaults(t);
    for (const f of now)
      if (!on.has(f)) {
        started.set(f, Date.now());
        shop.send({ fault: f, on: true });
        say(`[${secs(Date.now())}s] >>> injecting ${f}: ${FAULTS.find((x) => x.name === f)!.what}`);
      }
    for (const f of on) if (!now.has(f)) shop.send({ fault: f, on: false });
    on = now;
    const s = service.pipeline.stats;
    const phase =
      t < FAULTS[0].at ? 'learning normal' : now.size > 0 ? `fault: ${[...now].join(' + ')}` : 'quiet';
    const incidents = new Set(log.findings.filter((x) => x.kind === 'incident').map((x) => x.id)).size;
    const forecasts = log.findings.filter((x) => x.kind === 'forecast').length;
    const line = `[${secs(Date.now())}s/${RUN_SECONDS}] ${phase.padEnd(28)} points ${s.points}, series ${s.series}, fitted ${s.fits}, incidents ${incidents}, forecasts ${forecasts}`;
    if (tty) process.stdout.write(`\r\x1b[2K${line}`);
    else if (Math.round(t) % 10 === 0) say(line);
    if (t >= RUN_SECONDS) {
      clearInterval(tick);
      resolve();
    }
  }, 1000);
});

// Stop taking data first, so that the traffic stopping is not reported as an anomaly.
service.http!.ready = false;
service.ebpf?.close();
const ending = Date.now();
const sent = await new Promise<number>((resolve) => {
  loader.once('message', (m: { sent: number }) => resolve(m.sent));
  loader.send('stop');
});
shop.disconnect();
await new Promise((r) => shop.once('exit', r));
if (process.env.DEMO_DEBUG) say(`load and shop stopped in ${Date.now() - ending} ms`);
const stopping = Date.now();
await service.pipeline.flush();
await service.stop();
if (process.env.DEMO_DEBUG) say(`stopped in ${Date.now() - stopping} ms`);
if (tty) process.stdout.write('\r\x1b[2K');

// Faults against findings: a fault is caught by an anomaly event on a series that shows it, in progress while the
// fault runs or up to 4 s after (the delay counts from the injection; 0 when the series was already anomalous), or
// by a forecast on such a series in that time. Incidents reported outside every fault's window are false alarms.
const GRACE = 4_000;
const windows = FAULTS.map((fault) => {
  const start = started.get(fault.name) ?? Number.NaN;
  return { fault, start, end: start + fault.for * 1000 + GRACE };
});
const ebpf = service.ebpf;
/** When an anomaly on one of the eBPF series that can show `fault` was in progress during its window. */
function seenByEbpf(fault: (typeof FAULTS)[number], start: number, end: number): string {
  if (fault.ebpfShows.length === 0) return '–';
  const span = log.spans.find(
    (e) =>
      fault.ebpfShows.some((part) => e.series.includes(part)) && e.openedAt <= end && e.closedAt >= start,
  );
  return span ? `yes, ${((Math.max(span.openedAt, start) - start) / 1000).toFixed(1)} s` : 'no';
}
const rows = windows.map(({ fault, start, end }) => {
  const shows = (series: string) => fault.shows.some((part) => series.includes(part));
  const span = log.spans.find((e) => shows(e.series) && e.openedAt <= end && e.closedAt >= start);
  const forecast = log.findings.find(
    (f) => f.kind === 'forecast' && shows(f.series) && f.at >= start && f.at <= end,
  );
  const at = Math.min(
    span ? Math.max(span.openedAt, start) : Number.POSITIVE_INFINITY,
    forecast?.at ?? Number.POSITIVE_INFINITY,
  );
  const by = span && Math.max(span.openedAt, start) === at ? 'anomaly' : forecast ? 'forecast' : '';
  const incident =
    span &&
    log.findings.find(
      (f) => f.kind === 'incident' && f.series === span.series && f.at >= span.openedAt - 1000,
    );
  return {
    fault: fault.name,
    'injected at': `${secs(start).trim()} s`,
    found:
      by === 'anomaly'
        ? `yes, ${incident ? incident.id : 'event'}`
        : by === 'forecast'
          ? 'yes, forecast'
          : 'MISSED',
    'delay (s)': by ? Number(((at - start) / 1000).toFixed(1)) : '',
    series:
      by === 'anomaly'
        ? span!.series.replace('shop/', '')
        : by === 'forecast'
          ? forecast!.series.replace('shop/', '')
          : '',
    ...(ebpf ? { 'seen by eBPF': seenByEbpf(fault, start, end) } : {}),
  };
});
const falseAlarms = log.findings.filter(
  (f) => f.kind === 'incident' && !windows.some((w) => f.at >= w.start && f.at <= w.end),
);
const falseIncidents = new Set(falseAlarms.map((f) => `${f.kind} ${f.id}`));
const found = rows.filter((r) => r.found !== 'MISSED').length;
console.log(
  `\nFaults injected against what Vigil found (${sent} requests, ${service.pipeline.stats.points} points received):`,
);
console.table(rows);
for (const id of falseIncidents)
  console.log(
    `false alarm: ${id} on ${falseAlarms
      .filter((f) => `${f.kind} ${f.id}` === id)
      .map((f) => f.series.replace('shop/', ''))
      .join(', ')}`,
  );

if (ebpf) {
  const { points, series, requests } = ebpf.stats;
  console.log(
    `eBPF (${ebpf.probes.join(', ')}): ${requests} shop requests traced from the kernel, ${series} series, ${points} points`,
  );
}

const report = join(tmpdir(), 'vigil-demo-report.html');
writeFileSync(
  report,
  htmlReport(
    'vigil demo: a shop under five faults',
    log.reportSeries(
      [
        'duration.p90',
        'http.server.error_ratio',
        'process.cpu.utilization',
        'process.memory.usage',
        'system.filesystem.usage',
        'ebpf.http.server.request.duration.p99',
      ],
      0.999, // the alert policy's default threshold
    ),
    FAULTS.map((f) => `${f.name} at ${f.at} s for ${f.for} s.`),
  ),
);
console.log(
  `faults: ${FAULTS.length}; found: ${found}; false alarms: ${falseIncidents.size}; run: ${((Date.now() - t0) / 1000).toFixed(0)} s`,
);
console.log(`HTML report: ${report}`);
if (process.env.DEMO_DEBUG)
  writeFileSync(join(tmpdir(), 'vigil-demo-points.json'), JSON.stringify(log.dump(), null, 0));
