import { describe, expect, it } from 'vitest';
import type { AnomalyEvent } from '../../src/alerting/alert-policy.js';
import { type Incident, type IncidentChange, IncidentGrouper } from '../../src/pipeline/incidents.js';

const MIN = 60_000;
const event = (seriesKey: string, start: number, end: number, peakScore: number): AnomalyEvent => ({
  seriesKey,
  start,
  end,
  points: 1 + (end - start) / MIN,
  peakScore,
  peakTime: start,
  severity: peakScore >= 0.9999 ? 'critical' : 'warning',
  observed: Number.NaN,
  expected: Number.NaN,
});

describe('IncidentGrouper', () => {
  it('groups events that start together, keeps series in joining order and the highest peak of the latest states', () => {
    const seen: Array<[Incident, IncidentChange]> = [];
    const g = new IncidentGrouper(5 * MIN, (i, c) => seen.push([i, c]));
    const latest = () => (seen.at(-1) as [Incident, IncidentChange])[0];
    g.add(event('a', 0, 0, 0.999), true);
    g.add(event('b', MIN, MIN, 0.99995), true);
    g.add(event('a', 0, 2 * MIN, 0.9995), true); // a's later state: its peak grew, b's is still higher
    g.add(event('c', 3 * MIN, 3 * MIN, 0.9991), true);
    g.add(event('a', 0, 2 * MIN, 0.99999), false); // a closes with the highest peak
    const last = latest();
    expect(seen.map(([, c]) => c)).toEqual(['opened', 'updated', 'updated', 'updated', 'updated']);
    expect(last.series).toEqual(['a', 'b', 'c']);
    expect(last.events.map((e) => e.seriesKey)).toEqual(['a', 'b', 'c']);
    expect([last.peakScore, last.severity]).toEqual([0.99999, 'critical']);
    expect([last.start, last.end]).toEqual([0, 3 * MIN]);
    // An older state of the peak event arriving late lowers it: the peak is then the highest of the others.
    g.add(event('a', 0, 0, 0.999), false);
    expect(latest().peakScore).toBe(0.99995);
    g.add(event('b', MIN, MIN, 0.99995), false);
    g.add(event('c', 3 * MIN, 3 * MIN, 0.9991), false);
    g.advance(3 * MIN + 5 * MIN + 1);
    expect(seen.at(-1)?.[1]).toBe('closed');
    expect(g.openIncidents).toEqual([]);
  });

  it('groups without a listener (the pipeline without onIncident builds no incident views)', () => {
    const g = new IncidentGrouper(MIN);
    for (let k = 0; k < 2000; k++) g.add(event(`s${k}`, k, k, 0.9995), true);
    g.add(event('late', 10 * MIN, 10 * MIN, 0.9999), true);
    const open = g.openIncidents;
    expect(open.map((i) => i.series.length)).toEqual([2000, 1]);
    expect(open[0].peakScore).toBe(0.9995);
  });
});
