import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bandHalfWidth, ewmaAlpha, smoothErrors } from '../../src/lstm/error-smoothing.js';
import { aggregateForecasts, predictionErrors } from '../../src/lstm/forecast-errors.js';
import { fitScaler, scaleRows } from '../../src/lstm/scaler.js';
import { decodeFloat32, encodeFloat32 } from '../../src/lstm/weights.js';
import { makeWindows, predictionWindows } from '../../src/lstm/windows.js';

describe('LSTM building blocks', { timeout: 120_000 }, () => {
  it('scaler: population mean and std, NaN ignored, constant columns scale to 0', () => {
    const s = fitScaler([
      Float64Array.of(1, 2, Number.NaN, 3),
      Float64Array.of(5, 5, 5, 5),
      Float64Array.of(0, 0, 0, 0),
    ]);
    expect(s.mean).toEqual([2, 5, 0]);
    expect(s.std[0]).toBeCloseTo(Math.sqrt(2 / 3), 15);
    // A constant column: 1e-9 of its level, so that a departure of 1e-6 of the level is already 1000 units.
    expect(s.std[1]).toBe(5e-9);
    expect(s.std[2]).toBe(1);
    const { rows, observed } = scaleRows([Float64Array.of(Number.NaN, 3, Number.NaN)], {
      mean: [1],
      std: [2],
    });
    expect([...rows]).toEqual([0, 1, 1]); // leading NaN → the mean; later NaN carries the last value
    expect([...observed]).toEqual([0, 1, 0]);
  });

  it('windows: every complete window, none touching a missing value', () => {
    const rows = Float32Array.from({ length: 10 }, (_, i) => i);
    const all = makeWindows(rows, new Uint8Array(10).fill(1), 1, 3, 2);
    expect(all.count).toBe(6);
    expect([...all.x.subarray(0, 3)]).toEqual([0, 1, 2]);
    expect([...all.y.subarray(10, 12)]).toEqual([8, 9]);
    const gap = new Uint8Array(10).fill(1);
    gap[4] = 0;
    expect(makeWindows(rows, gap, 1, 3, 2).count).toBe(1); // only [5,6,7]→[8,9]
    expect([...predictionWindows(rows, 10, 1, 8)]).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 1, 2, 3, 4, 5, 6, 7, 8, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
  });

  it('forecasts of several steps are averaged along the diagonal, errors are RMS over columns', () => {
    // window 2, horizon 2, 1 column, 5 points → 4 windows; window s forecasts points s+2 and s+3.
    const pred = Float32Array.of(10, 20, 30, 40, 50, 60, 70, 80);
    const expected = aggregateForecasts(pred, 5, 1, 2, 2);
    expect([...expected]).toEqual([Number.NaN, Number.NaN, 10, (20 + 30) / 2, (40 + 50) / 2]);
    const errors = predictionErrors(
      Float32Array.of(0, 0, 3, 0, 4, 1),
      Uint8Array.of(1, 0, 1),
      Float64Array.of(Number.NaN, Number.NaN, 0, 0, 0, 0),
      2,
    );
    expect([...errors]).toEqual([Number.NaN, Number.NaN, Math.sqrt((16 + 1) / 2)]);
  });

  it('EWMA smoothing skips missing errors and its band inverts it exactly', () => {
    expect(ewmaAlpha(3)).toBe(0.5);
    const { smoothed, last } = smoothErrors(Float64Array.of(1, 3, Number.NaN, 3), 0.5);
    expect([...smoothed]).toEqual([1, 2, Number.NaN, 2.5]);
    expect(last).toBe(2.5);
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 10, noNaN: true }),
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        (limit, alpha, prev) => {
          const w = bandHalfWidth(limit, alpha, prev);
          if (w > 0) expect(alpha * w + (1 - alpha) * prev).toBeCloseTo(limit, 9);
          else expect((1 - alpha) * prev).toBeGreaterThanOrEqual(limit - 1e-12);
        },
      ),
    );
  });

  it('weights travel as exact little-endian float32 base64', () => {
    expect(encodeFloat32(Float32Array.of(1))).toBe('AACAPw==');
    fc.assert(
      fc.property(fc.float32Array({ noDefaultInfinity: true }), (a) => {
        expect(decodeFloat32(encodeFloat32(a), a.length, 'w')).toEqual(a);
      }),
    );
    expect(() => decodeFloat32('AACAPw==', 2, 'state.weights[3].data')).toThrow(
      expect.objectContaining({ code: 'INVALID_SNAPSHOT', field: 'state.weights[3].data' }),
    );
  });
});
