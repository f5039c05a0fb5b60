/**
 * The closed loop: an OTLP/HTTP receiver feeds a Pipeline (one streaming detector per series), whose events are
 * grouped into incidents ranked by root cause, and a response engine decides what to do about them — here in
 * dry-run, so it only says what it would do and why. A replay of two days of Collector exports for three services
 * stands in for a live Collector; point a real one's `otlphttp` exporter (protobuf or JSON, gzip or not) at the
 * same endpoint.
 */
import {
  type Incident,
  Pipeline,
  type ResponseDecision,
  ResponseEngine,
  type ResponsePolicy,
  Topology,
} from '@vigil/core';
import { createDetector } from '@vigil/detectors';
import { detectLeak } from '@vigil/detectors/maintenance';
import { startOtlpReceiver } from '@vigil/server';
import { collectorReplay } from './collector-replay.js';

const { requests, faults, memoryLimit } = collectorReplay();
const incidents: Incident[] = [];

// What to do, and when. Placeholders take the root cause's values: {service} is the service to act on.
const policies: ResponsePolicy[] = [
  {
    name: 'scale-out-slow-service',
    on: 'incident',
    match: { severity: 'critical', series: '*/http.server.request.duration', minDuration: 2 * 60_000 },
    action: {
      type: 'scale',
      target: { kind: 'Deployment', namespace: 'shop', name: '{service}' },
      min: 2,
      max: 10,
    },
  },
  {
    name: 'restart-before-oom',
    on: 'forecast',
    match: { series: '*/process.memory.usage', etaBelow: 24 * 3_600_000 },
    action: { type: 'restart', target: { kind: 'Deployment', namespace: 'shop', name: '{service}' } },
  },
];
const decisions: ResponseDecision[] = [];
const engine = new ResponseEngine({
  policies, // dryRun defaults to true; @vigil/server's executors act on a real cluster when it is false
  clock: (t) => (t.kind === 'incident' ? t.incident.end : (t.forecast.at ?? Date.now())), // replay time
  onDecision: (d) => decisions.push(d),
});

const pipeline = new Pipeline({
  createDetector: () => createDetector('mad', { window: 30 }),
  warmup: 720, // 12 hours of 1-minute data before the first fit
  refitEvery: 1440,
  policy: { threshold: 0.99999, maxGap: 5 * 60_000, minPoints: 2 },
  // 20 minutes: the recovery of a fault (values dropping back once the baseline has adapted) joins its incident.
  incidentWindow: 20 * 60_000,
  // Who calls whom; a client metric with a peer.service attribute would say the same.
  topology: new Topology([{ caller: 'checkout', callee: 'payments' }]),
  onIncident: (incident, change) => {
    if (change === 'closed') incidents.push(incident);
    else void engine.handleIncident(incident, change);
  },
});
const receiver = await startOtlpReceiver(pipeline, { port: 0 });
for (const body of requests) {
  const res = await fetch(`${receiver.url}/v1/metrics`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`receiver answered ${res.status}`);
}
await pipeline.flush();
await receiver.close();

// Predictive maintenance on the same data: is any service's memory heading for its limit?
for (const service of ['checkout', 'payments', 'search']) {
  const seriesKey = `${service}/process.memory.usage`;
  const history = pipeline.history(seriesKey)!;
  const leak = detectLeak(history, { limit: memoryLimit, name: `${service} memory`, unit: 'B' });
  if (leak.leaking && leak.timeToLimit !== null) {
    const at = history.timestamps[history.timestamps.length - 1];
    await engine.handleForecast({ seriesKey, eta: leak.timeToLimit, summary: leak.summary, at });
  }
}

const iso = (t: number) => new Date(t).toISOString().slice(0, 16).replace('T', ' ');
console.log(
  `Replayed ${requests.length} OTLP exports; ${pipeline.stats.series} series, ${pipeline.stats.scored} points scored.`,
);
console.table(
  incidents.map((i) => ({
    incident: i.id,
    start: iso(i.start),
    end: iso(i.end),
    series: i.series.join(', '),
    severity: i.severity,
    'likely cause': i.rootCauses?.causes[0]?.seriesKey,
    matches: faults.find((f) => i.start <= f.end && i.end >= f.start)?.name ?? 'none (false alarm)',
  })),
);
const found = faults.filter((f) => incidents.some((i) => i.start <= f.end && i.end >= f.start));
console.log(`faults: ${faults.length}; found: ${found.length}; incidents: ${incidents.length}`);
for (const i of incidents) console.log(`\n${i.id}: ${i.rootCauses?.summary}`);

console.log(`\nResponses (${engine.dryRun ? 'dry run: nothing was changed' : 'live'}):`);
for (const d of decisions) {
  console.log(`- [${d.outcome}] ${d.detail}\n    policy ${d.policy}, because ${d.reason}`);
}
