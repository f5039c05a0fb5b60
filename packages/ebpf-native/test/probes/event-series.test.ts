import { describe, expect, it } from 'vitest';
import { eventCountSeries, eventSeries } from '../../src/probes/event-series.js';

describe('event series', () => {
  it('orders points by event time and maps non-finite values to NaN', () => {
    const s = eventSeries(
      [
        { time: 30, v: 3 },
        { time: 10, v: 1 },
        { time: 20, v: Number.POSITIVE_INFINITY },
      ],
      (e) => e.v,
    );
    expect(Array.from(s.timestamps)).toEqual([10, 20, 30]);
    expect(Array.from(s.values)).toEqual([1, Number.NaN, 3]);
  });

  it('counts events per aligned bucket, zero-filling gaps (the documented example)', () => {
    const s = eventCountSeries([{ time: 1500 }, { time: 1000 }, { time: 3100 }], 1000);
    expect(Array.from(s.timestamps)).toEqual([1000, 2000, 3000]);
    expect(Array.from(s.values)).toEqual([2, 0, 1]);
    expect(eventCountSeries([], 1000).values.length).toBe(0);
  });

  it('rejects a bucket that is not a positive number', () => {
    for (const bad of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => eventCountSeries([{ time: 1 }], bad)).toThrow(
        expect.objectContaining({ code: 'EBPF_INPUT' }),
      );
    }
  });
});
