import { describe, expect, it } from 'vitest';
import { VigilInputError } from '../../src/errors.js';
import { frameFromCsv, seriesFromCsv } from '../../src/series/csv.js';
import {
  seriesFromArrays,
  seriesFromPoints,
  seriesFromStep,
  sliceSeries,
  toSeries,
} from '../../src/series/series.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(VigilInputError);
    expect((e as Error).message.length).toBeGreaterThan(20);
    return (e as VigilInputError).code;
  }
  return undefined;
}

describe('series constructors', () => {
  it('accepts plain number[] objects and keeps typed arrays without copying', () => {
    const s = toSeries({ timestamps: [0, 1000, 2000], values: [1, Number.NaN, 3] });
    expect(s.timestamps).toBeInstanceOf(Float64Array);
    expect(Array.from(s.values)).toEqual([1, Number.NaN, 3]);
    const values = Float64Array.of(4, 5);
    expect(toSeries({ timestamps: Float64Array.of(1, 2), values }).values).toBe(values);
  });

  it('builds from points, ISO dates and null as missing', () => {
    const s = seriesFromPoints([
      { t: '2026-01-01T00:00:00Z', v: 1 },
      { t: new Date('2026-01-01T00:01:00Z'), v: null },
      { t: Date.UTC(2026, 0, 1, 0, 2), v: 3 },
    ]);
    expect(s.timestamps[1] - s.timestamps[0]).toBe(60_000);
    expect(Number.isNaN(s.values[1])).toBe(true);
  });

  it('builds from a start and a step', () => {
    const s = seriesFromStep(1000, 500, [1, 2, 3]);
    expect(Array.from(s.timestamps)).toEqual([1000, 1500, 2000]);
    expect(codeOf(() => seriesFromStep(0, 0, [1]))).toBe('INVALID_OPTION');
    expect(Array.from(sliceSeries(s, 1, 3).values)).toEqual([2, 3]);
    expect(Array.from(seriesFromArrays([1, 2], [3, 4]).values)).toEqual([3, 4]);
  });

  it('reads CSV with ISO or epoch time, named value column and missing cells', () => {
    const s = seriesFromCsv(
      'time,cpu,mem\n2026-01-01T00:00:00Z,0.4,1\n2026-01-01T00:05:00Z,,2\n2026-01-01T00:10:00Z,NaN,3',
      {
        valueColumn: 'cpu',
      },
    );
    expect(s.values.length).toBe(3);
    expect(s.values[0]).toBe(0.4);
    expect(Number.isNaN(s.values[1]) && Number.isNaN(s.values[2])).toBe(true);
    const f = frameFromCsv('t;cpu;mem\n0;1;2\n60000;3;4', { delimiter: ';' });
    expect(f.columns).toEqual(['cpu', 'mem']);
    expect(Array.from(f.values[1])).toEqual([2, 4]);
  });
});

describe('series validation errors', () => {
  it.each([
    ['EMPTY_INPUT', { timestamps: [], values: [] }],
    ['LENGTH_MISMATCH', { timestamps: [1, 2, 3], values: [1, 2] }],
    ['UNSORTED_TIMESTAMPS', { timestamps: [1, 3, 2], values: [1, 2, 3] }],
    ['NON_FINITE_TIMESTAMP', { timestamps: [1, Number.NaN], values: [1, 2] }],
    ['NON_FINITE_TIMESTAMP', { timestamps: [1, Number.POSITIVE_INFINITY], values: [1, 2] }],
    ['NON_FINITE_VALUE', { timestamps: [1, 2], values: [1, Number.NEGATIVE_INFINITY] }],
    ['ALL_NAN', { timestamps: [1, 2], values: [Number.NaN, Number.NaN] }],
  ])('%s', (code, input) => {
    expect(codeOf(() => toSeries(input))).toBe(code);
  });

  it("DUPLICATE_TIMESTAMPS only when asked for with duplicates: 'error'", () => {
    const input = { timestamps: [1, 2, 2], values: [1, 2, 3] };
    expect(codeOf(() => toSeries(input, 'series', { duplicates: 'error' }))).toBe('DUPLICATE_TIMESTAMPS');
    expect(codeOf(() => toSeries(input, 'series', { duplicates: 'first' as never }))).toBe('INVALID_OPTION');
  });

  it('names the field and says what to do', () => {
    try {
      toSeries({ timestamps: [5, 4], values: [1, 2] });
    } catch (e) {
      expect((e as VigilInputError).field).toBe('timestamps');
      expect((e as Error).message).toMatch(/sort the points by time/);
    }
  });

  it('rejects unreadable CSV with CSV_PARSE', () => {
    expect(codeOf(() => seriesFromCsv('t,v'))).toBe('CSV_PARSE');
    expect(codeOf(() => seriesFromCsv('t,v\n0,abc'))).toBe('CSV_PARSE');
    expect(codeOf(() => seriesFromCsv('t,v\nyesterday,1'))).toBe('CSV_PARSE');
    expect(codeOf(() => seriesFromCsv('t,v\n0,1,2'))).toBe('CSV_PARSE');
    expect(codeOf(() => seriesFromCsv('t,v\n0,1', { valueColumn: 'cpu' }))).toBe('CSV_PARSE');
  });
});
