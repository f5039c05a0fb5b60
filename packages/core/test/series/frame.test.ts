import { describe, expect, it } from 'vitest';
import { VigilInputError } from '../../src/errors.js';
import {
  assertSameColumns,
  frameFromRows,
  frameFromSeries,
  isFrameLike,
  toFrame,
} from '../../src/series/frame.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(VigilInputError);
    return (e as VigilInputError).code;
  }
  return undefined;
}

describe('frames', () => {
  it('is column-major and accepts row-major input', () => {
    const f = frameFromRows(
      [0, 1000],
      [
        [0.1, 512],
        [0.2, 520],
      ],
      ['cpu', 'mem'],
    );
    expect(f.columns).toEqual(['cpu', 'mem']);
    expect(Array.from(f.values[1])).toEqual([512, 520]);
    expect(toFrame({ timestamps: [0], values: [[1], [2]] }).columns).toEqual(['c0', 'c1']);
    expect(isFrameLike(f)).toBe(true);
    expect(isFrameLike({ timestamps: [0], values: [1] })).toBe(false);
  });

  it('joins named series sharing a time axis', () => {
    const f = frameFromSeries({
      cpu: { timestamps: [0, 1], values: [1, 2] },
      mem: { timestamps: [0, 1], values: [3, 4] },
    });
    expect(f.columns).toEqual(['cpu', 'mem']);
    expect(
      codeOf(() =>
        frameFromSeries({
          a: { timestamps: [0, 1], values: [1, 2] },
          b: { timestamps: [0, 2], values: [1, 2] },
        }),
      ),
    ).toBe('LENGTH_MISMATCH');
  });

  it('reports ragged rows, a NaN-only column, and column mismatches', () => {
    expect(codeOf(() => frameFromRows([0, 1], [[1, 2], [3]]))).toBe('RAGGED_ROWS');
    const e = (() => {
      try {
        toFrame({
          timestamps: [0, 1],
          columns: ['cpu', 'mem'],
          values: [
            [1, 2],
            [Number.NaN, Number.NaN],
          ],
        });
      } catch (err) {
        return err as VigilInputError;
      }
    })();
    expect(e?.code).toBe('ALL_NAN');
    expect(e?.message).toMatch(/'mem'/);
    expect(codeOf(() => toFrame({ timestamps: [0, 1], values: [[1, 2], [1]] }))).toBe('LENGTH_MISMATCH');
    expect(codeOf(() => toFrame({ timestamps: [0, 1], values: [] }))).toBe('EMPTY_INPUT');
    expect(codeOf(() => toFrame({ timestamps: [0], columns: ['a', 'a'], values: [[1], [2]] }))).toBe(
      'INVALID_OPTION',
    );
    const f = toFrame({ timestamps: [0], columns: ['cpu'], values: [[1]] });
    expect(codeOf(() => assertSameColumns(['cpu', 'mem'], f))).toBe('COLUMN_MISMATCH');
    expect(() => assertSameColumns(['cpu'], f)).not.toThrow();
  });
});
