import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fitGeneralizedPareto,
  gpdInverseSurvival,
  gpdSurvival,
} from '../../src/calibration/generalized-pareto.js';
import { quantileSorted } from '../../src/calibration/quantile.js';
import { TailCalibrator, thresholdForFalsePositiveRate } from '../../src/calibration/tail-calibrator.js';
import { VigilInputError } from '../../src/errors.js';
import { createRng } from '../../src/math/random.js';

describe('generalized Pareto', () => {
  it('survival and inverse survival agree (hand values)', () => {
    const exp1 = { shape: 0, scale: 1, logLikelihood: 0 };
    expect(gpdSurvival(1, exp1)).toBeCloseTo(Math.exp(-1), 12);
    // ξ = 0.5, σ = 1: S(2) = (1 + 0.5·2)^(−2) = 0.25
    const g = { shape: 0.5, scale: 1, logLikelihood: 0 };
    expect(gpdSurvival(2, g)).toBeCloseTo(0.25, 12);
    expect(gpdInverseSurvival(0.25, g)).toBeCloseTo(2, 10);
    // bounded tail ξ = −0.5, σ = 1: end point at y = 2
    expect(gpdSurvival(2.5, { shape: -0.5, scale: 1, logLikelihood: 0 })).toBe(0);
  });

  it('recovers known parameters by maximum likelihood (n = 5000)', () => {
    for (const [shape, scale] of [
      [0.3, 2],
      [0, 1.5],
      [-0.2, 1],
    ]) {
      const rng = createRng(11);
      const truth = { shape, scale, logLikelihood: 0 };
      const y = Array.from({ length: 5000 }, () => gpdInverseSurvival(1 - rng.next(), truth));
      const fit = fitGeneralizedPareto(y);
      expect(Math.abs(fit.shape - shape)).toBeLessThan(0.06);
      expect(Math.abs(fit.scale / scale - 1)).toBeLessThan(0.08);
    }
  });

  it('respects a minimum shape', () => {
    const rng = createRng(3);
    const y = Array.from({ length: 2000 }, () =>
      gpdInverseSurvival(1 - rng.next(), { shape: -0.3, scale: 1, logLikelihood: 0 }),
    );
    expect(fitGeneralizedPareto(y).shape).toBeLessThan(-0.2);
    expect(fitGeneralizedPareto(y, 0).shape).toBeGreaterThanOrEqual(0);
  });

  it('quantile type 7 matches hand values', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(quantileSorted([7], 0.9)).toBe(7);
  });
});

describe('TailCalibrator', () => {
  it('extrapolates an exponential tail far past 1/n (p within 2x at 1e-5 from n = 20000)', () => {
    const rng = createRng(5);
    const raws = Array.from({ length: 20_000 }, () => -Math.log(1 - rng.next()));
    const cal = TailCalibrator.fit(raws);
    expect(cal.method).toBe('gpd');
    for (const p of [1e-3, 1e-4, 1e-5]) {
      const ratio = cal.pValue(-Math.log(p)) / p;
      expect(ratio).toBeGreaterThan(0.5);
      expect(ratio).toBeLessThan(2);
    }
  });

  it('holds the target false-positive rate on fresh normal data (|z| statistic)', () => {
    const rng = createRng(8);
    const cal = TailCalibrator.fit(Array.from({ length: 20_000 }, () => Math.abs(rng.normal())));
    for (const alpha of [1e-2, 1e-3]) {
      const threshold = thresholdForFalsePositiveRate(alpha);
      let flagged = 0;
      const m = 400_000;
      for (let i = 0; i < m; i++) if (cal.score(Math.abs(rng.normal())) >= threshold) flagged++;
      // Exponential-or-heavier tails are conservative for Gaussian data: at most the target, at least a third of it.
      expect(flagged / m).toBeLessThan(alpha * 1.2);
      expect(flagged / m).toBeGreaterThan(alpha / 3);
    }
  });

  it('scores are monotone in the raw statistic and stay in [0, 1]', () => {
    const rng = createRng(2);
    const cal = TailCalibrator.fit(Array.from({ length: 3000 }, () => rng.normal() ** 2));
    fc.assert(
      fc.property(
        fc.double({ min: -5, max: 1e6, noNaN: true }),
        fc.double({ min: -5, max: 1e6, noNaN: true }),
        (a, b) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          const sLo = cal.score(lo);
          const sHi = cal.score(hi);
          return sLo <= sHi && sLo >= 0 && sHi <= 1;
        },
      ),
    );
  });

  it('rawForPValue inverts pValue', () => {
    const rng = createRng(4);
    const cal = TailCalibrator.fit(Array.from({ length: 5000 }, () => Math.abs(rng.normal())));
    for (const p of [0.5, 0.1, 0.01, 1e-4, 1e-6]) {
      expect(cal.pValue(cal.rawForPValue(p)) / p).toBeCloseTo(1, 6);
    }
  });

  it('falls back for small samples and round-trips through JSON', () => {
    const rng = createRng(9);
    expect(TailCalibrator.fit(Array.from({ length: 40 }, () => rng.next())).method).toBe('exponential');
    const tiny = TailCalibrator.fit([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(tiny.method).toBe('empirical');
    // Floored at 1/(n + 1) up to the largest value; past it an exponential decay whose scale is the mean excess
    // over u = 6.25 (0.75 and 1.75: 1.25), after the resolution 8e-6 (1e-6 of the largest value).
    expect(tiny.pValue(8)).toBeCloseTo(1 / 9, 12);
    expect(tiny.pValue(10)).toBeCloseTo(Math.exp(-(2 - 8e-6) / 1.25) / 9, 12);
    expect(tiny.rawForPValue(1e-3)).toBeCloseTo(8 + 8e-6 + 1.25 * Math.log(1000 / 9), 9);
    const cal = TailCalibrator.fit(Array.from({ length: 1000 }, () => rng.normal()));
    const copy = TailCalibrator.fromJSON(JSON.parse(JSON.stringify(cal.toJSON())));
    for (const x of [-3, 0, 1.5, 2.5, 4, 10]) expect(copy.score(x)).toBe(cal.score(x));
    expect(cal.score(Number.NaN)).toBe(0);
  });

  it('reads snapshots written before the table was a Float64Array, and writes them back unchanged', () => {
    // As written by earlier versions: a plain number[] table, and (older still) no resolution field.
    const old = {
      method: 'gpd' as const,
      n: 50,
      table: Array.from({ length: 201 }, (_, k) => Math.sqrt(k / 200) * 3),
      u: 2.9,
      tailProb: 0.02,
      shape: 0.1,
      scale: 0.4,
    };
    for (const state of [old, { ...old, resolution: 3e-6 }]) {
      const cal = TailCalibrator.fromJSON(JSON.parse(JSON.stringify(state)));
      expect(cal.toJSON()).toEqual(state);
      expect(Object.keys(cal.toJSON())).toEqual(Object.keys(state));
      // p(x) = 1 − the table's CDF just below x: 1.5 lies between table[50] = 1.5 and the entries below it.
      expect(cal.pValue(1.5 + (state.resolution ?? 0))).toBeCloseTo(1 - 50 / 200, 12);
      expect(cal.pValue(3.4 + (state.resolution ?? 0))).toBeCloseTo(
        0.02 * (1 + (0.1 * 0.5) / 0.4) ** (-1 / 0.1),
        12,
      );
    }
  });

  it('rejects a snapshot with a negative, zero or non-finite scale (or another bad field), naming the field', () => {
    const rng = createRng(11);
    const good = TailCalibrator.fit(Array.from({ length: 1000 }, () => rng.normal())).toJSON();
    expect(good.method).toBe('gpd');
    const field = (patch: Record<string, unknown>) => {
      try {
        TailCalibrator.fromJSON({ ...good, ...patch } as never);
        return 'loaded';
      } catch (e) {
        return e instanceof VigilInputError && e.code === 'INVALID_SNAPSHOT' ? e.field : String(e);
      }
    };
    for (const scale of [-1, 0, Number.NaN, Number.POSITIVE_INFINITY, '1'])
      expect(field({ scale }), String(scale)).toBe('state.calibrator.scale');
    // The flat floor of old empirical snapshots (scale 0) still loads; a negative one does not.
    expect(field({ method: 'empirical', scale: 0 })).toBe('loaded');
    expect(field({ method: 'empirical', scale: -0.5 })).toBe('state.calibrator.scale');
    expect(field({ tailProb: 1.5 })).toBe('state.calibrator.tailProb');
    expect(field({ table: [...good.table].reverse() })).toBe('state.calibrator.table');
    expect(field({ table: new Array(200_000).fill(0) })).toBe('state.calibrator.table');
    expect(field({ n: 1 })).toBe('state.calibrator.n');
    expect(field({ resolution: -1 })).toBe('state.calibrator.resolution');
    expect(field({ method: 'normal' })).toBe('state.calibrator.method');
  });

  it('rejects too little data and bad options with typed errors', () => {
    expect(() => TailCalibrator.fit([1, Number.NaN])).toThrowError(
      expect.objectContaining({ code: 'TOO_SHORT' }),
    );
    expect(() => TailCalibrator.fit([1, 2, 3], { tailLevel: 1.5 })).toThrowError(VigilInputError);
    expect(() => TailCalibrator.fromJSON({} as never)).toThrowError(
      expect.objectContaining({ code: 'INVALID_SNAPSHOT' }),
    );
    expect(() => thresholdForFalsePositiveRate(0)).toThrowError(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
  });
});
