import { describe, expect, it } from 'vitest';
import { VigilInputError } from '../../src/errors.js';
import { frameFromCsv, seriesFromCsv } from '../../src/series/csv.js';
import { mergeRepeatedTimestamps } from '../../src/series/duplicates.js';
import { frameFromRows, toFrame } from '../../src/series/frame.js';
import { seriesFromPoints, toSeries } from '../../src/series/series.js';

const repeated = { timestamps: [0, 1000, 1000, 1000, 2000], values: [1, 2, Number.NaN, 6, 7] };

describe('repeated timestamps', () => {
  it("merge by 'last' (the default): the last observed value of each run wins", () => {
    const s = toSeries(repeated);
    expect(Array.from(s.timestamps)).toEqual([0, 1000, 2000]);
    expect(Array.from(s.values)).toEqual([1, 6, 7]);
    // NaN is skipped: the last observed value, not the last written one.
    const tailNaN = toSeries({ timestamps: [0, 0, 5], values: [3, Number.NaN, 1] });
    expect(Array.from(tailNaN.values)).toEqual([3, 1]);
  });

  it("merge by 'mean' of the observed values (NaN when all are missing)", () => {
    const s = toSeries(repeated, 'series', { duplicates: 'mean' });
    expect(Array.from(s.values)).toEqual([1, 4, 7]);
    const m = mergeRepeatedTimestamps([0, 0, 1], [[Number.NaN, Number.NaN, 2]], 'mean');
    expect(Array.from(m.timestamps)).toEqual([0, 1]);
    expect(Array.from(m.columns[0])).toEqual([Number.NaN, 2]);
  });

  it("'keep' keeps every point; 'error' throws DUPLICATE_TIMESTAMPS naming the fix", () => {
    const kept = toSeries(repeated, 'series', { duplicates: 'keep' });
    expect(kept.values.length).toBe(5);
    let caught: unknown;
    try {
      toSeries(repeated, 'training series', { duplicates: 'error' });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(VigilInputError);
    expect((caught as VigilInputError).code).toBe('DUPLICATE_TIMESTAMPS');
    expect((caught as VigilInputError).message).toMatch(
      /timestamps\[2\] of the training series repeats 1000.*duplicates: 'last' or 'mean'/,
    );
  });

  it('still rejects unsorted and non-finite timestamps and bad values when merging', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as VigilInputError).code;
      }
    };
    expect(code(() => toSeries({ timestamps: [0, 2, 2, 1], values: [1, 2, 3, 4] }))).toBe(
      'UNSORTED_TIMESTAMPS',
    );
    expect(code(() => toSeries({ timestamps: [0, Number.NaN, Number.NaN], values: [1, 2, 3] }))).toBe(
      'NON_FINITE_TIMESTAMP',
    );
    expect(code(() => toSeries({ timestamps: [0, 0], values: [1, Number.POSITIVE_INFINITY] }))).toBe(
      'NON_FINITE_VALUE',
    );
    expect(code(() => toSeries({ timestamps: [0, 0, 1], values: [1, 2] }))).toBe('LENGTH_MISMATCH');
  });

  it('frames merge row runs column by column; CSV and point constructors take the option', () => {
    const f = toFrame(
      {
        timestamps: [0, 0, 60_000],
        columns: ['cpu', 'mem'],
        values: [
          [1, 3, 5],
          [10, Number.NaN, 30],
        ],
      },
      { duplicates: 'mean' },
    );
    expect(Array.from(f.timestamps)).toEqual([0, 60_000]);
    expect(Array.from(f.values[0])).toEqual([2, 5]);
    expect(Array.from(f.values[1])).toEqual([10, 30]);
    expect(
      frameFromRows(
        [0, 0],
        [
          [1, 2],
          [3, 4],
        ],
      ).values.map((c) => Array.from(c)),
    ).toEqual([[3], [4]]);
    // NAB's exchange-2 files repeat a second with two values.
    const csv =
      'timestamp,value\n2011-08-24 12:00:00,0.1\n2011-08-24 12:00:01,0.13125\n2011-08-24 12:00:01,0.119452887538';
    expect(Array.from(seriesFromCsv(csv).values)).toEqual([0.1, 0.119452887538]);
    expect(seriesFromCsv(csv, { duplicates: 'mean' }).values[1]).toBeCloseTo(
      (0.13125 + 0.119452887538) / 2,
      15,
    );
    expect(() => seriesFromCsv(csv, { duplicates: 'error' })).toThrowError(
      expect.objectContaining({ code: 'DUPLICATE_TIMESTAMPS' }),
    );
    expect(frameFromCsv('t,a\n0,1\n0,2', { duplicates: 'keep' }).timestamps.length).toBe(2);
    expect(
      Array.from(
        seriesFromPoints([
          { t: 0, v: 1 },
          { t: 0, v: null },
          { t: 1, v: 2 },
        ]).values,
      ),
    ).toEqual([1, 2]);
  });
});
