/**
 * Vigil quick start: fit two baseline detectors on three clean days of CPU data, score the next four days (which
 * hide a spike and a level shift), group anomalous points into events and print them.
 */
import { AlertPolicy, type AnomalyEvent, sliceSeries } from '@vigil/core';
import { createDetector } from '@vigil/detectors';
import { syntheticCpu } from './synthetic-cpu.js';

const { series, injected } = syntheticCpu();
const trainDays = 3 * 288;
const train = sliceSeries(series, 0, trainDays);
const test = sliceSeries(series, trainDays, series.values.length);

// Alert at a 1-in-10,000 per-point false-positive rate: with 288 points a day that is one false alarm in about
// 35 days per series, where the detectors' default (1e-3) would page about twice a week. Anomalous points closer
// than 30 minutes form one event; a new event needs a 2-hour quiet period after the last.
const policy = new AlertPolicy({ threshold: 0.9999, maxGap: 30 * 60_000, cooldown: 2 * 3_600_000 });

const rows: Array<{ detector: string; event: AnomalyEvent; label: string }> = [];
for (const kind of ['zscore', 'mad']) {
  const detector = createDetector(kind, { window: 36 });
  await detector.fit(train);
  const scores = await detector.score(test);
  const events = policy.events(`demo/cpu`, test.timestamps, scores.score, test.values, scores.expected);
  for (const event of events) {
    const hit = injected.find((a) => event.start <= a.end && event.end >= a.start);
    rows.push({ detector: kind, event, label: hit ? hit.label : 'none (false alarm)' });
  }
}

const iso = (t: number) => new Date(t).toISOString().slice(0, 16).replace('T', ' ');
const table = rows.map(({ detector, event, label }) => ({
  detector,
  start: iso(event.start),
  end: iso(event.end),
  points: event.points,
  'peak score': event.peakScore.toFixed(6),
  severity: event.severity,
  observed: event.observed.toFixed(1),
  expected: event.expected.toFixed(1),
  matches: label,
}));
console.log(
  `Scored ${test.values.length} points of 5-minute CPU data after training on ${train.values.length}.`,
);
console.table(table);
const missed = injected.filter((a) => !rows.some((r) => r.label === a.label));
const falseAlarms = rows.filter((r) => r.label.startsWith('none')).length;
console.log(
  `injected: ${injected.map((a) => a.label).join(', ')}; missed: ${missed.length}; false alarms: ${falseAlarms}`,
);
if (missed.length > 0 || falseAlarms > 0) process.exitCode = 1;
