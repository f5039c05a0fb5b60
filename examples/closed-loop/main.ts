/**
 * The closed loop: an OTLP/HTTP receiver feeds a Pipeline (one streaming detector per series), whose events are
 * grouped into incidents. Here a replay of two days of Collector exports for three services stands in for a live
 * Collector; point a real one's `otlphttp` exporter (protobuf or JSON, gzip or not) at the same endpoint.
 */
import { type Incident, Pipeline } from '@vigil/core';
import { createDetector } from '@vigil/detectors';
import { startOtlpReceiver } from '@vigil/server';
import { collectorReplay } from './collector-replay.js';

const { requests, faults } = collectorReplay();
const incidents: Incident[] = [];
const pipeline = new Pipeline({
  createDetector: () => createDetector('mad', { window: 30 }),
  warmup: 720, // 12 hours of 1-minute data before the first fit
  refitEvery: 1440,
  policy: { threshold: 0.99999, maxGap: 5 * 60_000, minPoints: 2 },
  // 20 minutes: the recovery of a fault (values dropping back once the baseline has adapted) joins its incident.
  incidentWindow: 20 * 60_000,
  onIncident: (incident, change) => {
    if (change === 'closed') incidents.push(incident);
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
    matches: faults.find((f) => i.start <= f.end && i.end >= f.start)?.name ?? 'none (false alarm)',
  })),
);
const found = faults.filter((f) => incidents.some((i) => i.start <= f.end && i.end >= f.start));
console.log(`faults: ${faults.length}; found: ${found.length}; incidents: ${incidents.length}`);
