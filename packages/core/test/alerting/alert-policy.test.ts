import { describe, expect, it } from 'vitest';
import { AlertPolicy } from '../../src/alerting/alert-policy.js';

const MIN = 60_000;
const ts = (n: number) => Array.from({ length: n }, (_, i) => i * MIN);

describe('AlertPolicy', () => {
  it('turns runs of anomalous points into events with peak, severity, observed and expected', () => {
    const scores = [0.1, 0.9995, 0.99999995, 0.2, 0.3, 0.9991, 0.1];
    const values = [1, 2, 30, 4, 5, 6, 7];
    const expected = [1, 1, 1, 1, 1, 1, 1];
    const events = new AlertPolicy({ threshold: 0.999 }).events('svc/cpu', ts(7), scores, values, expected);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      seriesKey: 'svc/cpu',
      start: MIN,
      end: 2 * MIN,
      points: 2,
      peakScore: 0.99999995,
      peakTime: 2 * MIN,
      severity: 'critical',
      observed: 30,
      expected: 1,
    });
    expect(events[1]).toMatchObject({ start: 5 * MIN, points: 1, severity: 'warning' });
  });

  it('merges across gaps up to maxGap and enforces minPoints and minDuration', () => {
    const scores = [1, 0, 0, 1, 0, 0, 0, 0, 1];
    expect(new AlertPolicy({ maxGap: 3 * MIN }).events('k', ts(9), scores)).toHaveLength(2);
    expect(new AlertPolicy({ maxGap: 5 * MIN }).events('k', ts(9), scores)).toHaveLength(1);
    expect(new AlertPolicy({ minPoints: 2 }).events('k', ts(9), scores)).toHaveLength(0);
    expect(
      new AlertPolicy({ maxGap: 3 * MIN, minDuration: 3 * MIN }).events('k', ts(9), scores),
    ).toHaveLength(1);
  });

  it('suppresses events starting inside the cooldown and counts them', () => {
    const scores = [1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1];
    const policy = new AlertPolicy({ cooldown: 5 * MIN });
    const tracker = policy.tracker('k');
    const closed = [];
    ts(11).forEach((t, i) => {
      for (const tr of tracker.push({ t, score: scores[i] })) if (tr.type === 'close') closed.push(tr.event);
    });
    closed.push(...tracker.flush().map((tr) => tr.event));
    expect(closed.map((e) => e.start)).toEqual([0, 10 * MIN]);
    expect(tracker.suppressed).toBe(1);
  });

  it('opens an event as soon as it qualifies, for paging before it ends', () => {
    const tracker = new AlertPolicy({ minPoints: 2 }).tracker('k');
    expect(tracker.push({ t: 0, score: 1 })).toEqual([]);
    const [open] = tracker.push({ t: MIN, score: 1 });
    expect(open.type).toBe('open');
    expect(tracker.open?.points).toBe(2);
    expect(tracker.push({ t: 2 * MIN, score: Number.NaN })).toEqual([]);
    expect(tracker.push({ t: MIN, score: 1 })).toEqual([]);
    expect(tracker.push({ t: 3 * MIN, score: 0 })[0].type).toBe('close');
  });

  it('rejects bad configuration with INVALID_OPTION', () => {
    for (const bad of [
      { threshold: 0 },
      { minPoints: 0 },
      { maxGap: -1 },
      { cooldown: Number.NaN },
      { severities: [] },
    ]) {
      expect(() => new AlertPolicy(bad)).toThrowError(expect.objectContaining({ code: 'INVALID_OPTION' }));
    }
  });
});
