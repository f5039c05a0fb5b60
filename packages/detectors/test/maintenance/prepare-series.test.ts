import { describe, expect, it } from 'vitest';
import { medianStep, prepareSeries } from '../../src/maintenance/prepare-series.js';

describe('prepareSeries', () => {
  it('accepts a varying series with enough values and counts only non-missing ones', () => {
    expect(prepareSeries({ timestamps: [0, 1, 2], values: [1, 2, 3] }, 3, 'x').values.length).toBe(3);
    expect(() => prepareSeries({ timestamps: [0, 1, 2], values: [1, Number.NaN, 3] }, 3, 'x')).toThrow(
      expect.objectContaining({ code: 'TOO_SHORT', field: 'values' }),
    );
  });
  it('rejects a flat series and says why', () => {
    expect(() => prepareSeries({ timestamps: [0, 1, 2], values: [4, 4, 4] }, 3, 'planCapacity')).toThrow(
      expect.objectContaining({
        code: 'CONSTANT_INPUT',
        message: expect.stringMatching(/all 3 values equal 4/),
      }),
    );
  });
  it('takes the median spacing', () => {
    expect(medianStep(Float64Array.of(0, 10, 20, 50))).toBe(10);
  });
});
