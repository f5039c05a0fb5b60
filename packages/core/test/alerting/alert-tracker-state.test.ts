import { describe, expect, it } from 'vitest';
import { AlertPolicy, type AlertTransition } from '../../src/alerting/alert-policy.js';
import { IncidentGrouper } from '../../src/pipeline/incidents.js';

/** Scores with two anomalous runs (points 10–14 and 30–31), 1 s apart. */
const score = (i: number) => ((i >= 10 && i < 15) || (i >= 30 && i < 32) ? 0.9999 : 0.2);

describe('AlertTracker state', () => {
  it('a tracker restored mid-event (through JSON) continues it exactly as the uninterrupted one', () => {
    const policy = new AlertPolicy({ minPoints: 2, maxGap: 1500, cooldown: 20_000 });
    const run = (restoreAt: number | undefined) => {
      let tracker = policy.tracker('web/latency');
      const out: AlertTransition[] = [];
      for (let i = 0; i < 40; i++) {
        if (i === restoreAt) {
          const saved = JSON.parse(JSON.stringify(tracker.toJSON()));
          tracker = policy.tracker('web/latency');
          tracker.restore(saved);
        }
        out.push(...tracker.push({ t: i * 1000, score: score(i), value: i, expected: Number.NaN }));
      }
      return { out, suppressed: tracker.suppressed };
    };
    const straight = run(undefined);
    // One event (10–14) opened at its 2nd point and closed; the second run falls inside the cooldown.
    expect(straight.out.map((t) => [t.type, t.event.start, t.event.end])).toEqual([
      ['open', 10_000, 11_000],
      ['close', 10_000, 14_000],
    ]);
    expect(straight.suppressed).toBe(1);
    // Restored in the middle of the event, between it and the cooldown's end, and before the first point.
    for (const at of [0, 12, 20, 31]) {
      const r = run(at);
      expect(r.out.map((t) => [t.type, t.event.start, t.event.end, t.event.points])).toEqual(
        straight.out.map((t) => [t.type, t.event.start, t.event.end, t.event.points]),
      );
      expect(r.out.every((t) => Number.isNaN(t.event.expected))).toBe(true);
      expect(r.suppressed).toBe(1);
    }
  });

  it('restoring garbage gives a fresh tracker, never a throw', () => {
    const tracker = new AlertPolicy().tracker('k');
    tracker.restore({ lastT: 'x', run: { start: 'y' } } as never);
    expect(tracker.toJSON()).toEqual({ lastT: null, quietUntil: null, suppressed: 0, run: null });
    expect(tracker.push({ t: 1, score: 1 })).toHaveLength(1);
  });
});

describe('IncidentGrouper state', () => {
  it('a grouper restored (through JSON) keeps its incidents, ids and events in progress', () => {
    const changes: string[] = [];
    const g = new IncidentGrouper(60_000);
    const ev = (seriesKey: string, start: number, end = start) => ({
      seriesKey,
      start,
      end,
      points: 1,
      peakScore: 0.9999,
      peakTime: start,
      severity: 'warning',
      observed: Number.NaN,
      expected: 1,
    });
    g.add(ev('a/x', 0), true);
    g.add(ev('b/x', 200_000), false);
    g.advance(400_000); // b's incident (inc-2) closes; a's is in progress
    const restored = new IncidentGrouper(60_000, (i, c) =>
      changes.push(`${i.id} ${c} ${i.series.join(',')}`),
    );
    restored.restore(JSON.parse(JSON.stringify(g.toJSON())));
    expect(restored.openIncidents.map((i) => i.id)).toEqual(['inc-1']);
    expect(Number.isNaN(restored.openIncidents[0].events[0].observed)).toBe(true);
    restored.advance(500_000); // still in progress: stays open
    restored.add(ev('c/x', 10_000), false); // joins inc-1
    restored.add(ev('a/x', 0, 30_000), false); // a's event ends
    restored.advance(100_000);
    restored.add(ev('d/x', 900_000), false); // a new incident gets the next id
    expect(changes).toEqual([
      'inc-1 updated a/x,c/x',
      'inc-1 updated a/x,c/x',
      'inc-1 closed a/x,c/x',
      'inc-3 opened d/x',
    ]);
  });
});
