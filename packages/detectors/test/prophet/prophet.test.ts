import { VigilInputError } from '@vigil/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Prophet } from '../../src/prophet/prophet.js';
import { codeOf, DAY, START, STEP_MS, slopePerDay, synthetic } from './synthetic.js';

const DAY_MS = 86_400_000;

function amplitude(curve: ArrayLike<number>, from: number, to: number): number {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = from; i < to; i++) {
    lo = Math.min(lo, curve[i]);
    hi = Math.max(hi, curve[i]);
  }
  return (hi - lo) / 2;
}

describe('Prophet: recovering a known model', () => {
  const data = synthetic({
    days: 21,
    level: 200,
    slope: 2,
    changes: [{ day: 8, slope: -1 }],
    daily: 10,
    weekly: 5,
    noise: 1,
  });
  const model = new Prophet({ uncertaintySamples: 0 }).fit(data);
  const f = model.predict(data.timestamps);

  it('switches on daily and weekly seasonality from the span and spacing, not yearly', () => {
    expect(model.state.spec.seasonalities.map((s) => [s.name, s.fourierOrder, s.period])).toEqual([
      ['weekly', 3, 7],
      ['daily', 4, 1],
    ]);
  });

  it('recovers the slopes before and after the trend change (2 and −1 per day)', () => {
    expect(slopePerDay(f.trend, 1, 6)).toBeCloseTo(2, 1);
    expect(slopePerDay(f.trend, 10, 21)).toBeCloseTo(-1, 1);
  });

  it('puts the rate change at the true changepoint (day 8) and sizes it right (−3 per day)', () => {
    const { delta, changepoints, yScale, tScale } = model.state;
    const perDay = (yScale * DAY_MS) / tScale;
    let total = 0;
    let weighted = 0;
    let mass = 0;
    for (let j = 0; j < delta.length; j++) {
      total += delta[j] * perDay;
      weighted += Math.abs(delta[j]) * (changepoints[j] - START);
      mass += Math.abs(delta[j]);
    }
    expect(total).toBeGreaterThan(-3.3);
    expect(total).toBeLessThan(-2.7);
    expect(Math.abs(weighted / mass / DAY_MS - 8)).toBeLessThan(0.5);
    // The largest single change is at one of the two changepoints bracketing day 8.
    let largest = 0;
    for (let j = 1; j < delta.length; j++) if (Math.abs(delta[j]) > Math.abs(delta[largest])) largest = j;
    expect(Math.abs((changepoints[largest] - START) / DAY_MS - 8)).toBeLessThan(0.9);
  });

  it('recovers the seasonal amplitudes (10 daily, 5 weekly) within 3%', () => {
    expect(amplitude(f.components.daily, 0, DAY)).toBeGreaterThan(9.7);
    expect(amplitude(f.components.daily, 0, DAY)).toBeLessThan(10.3);
    expect(amplitude(f.components.weekly, 0, 7 * DAY)).toBeGreaterThan(4.85);
    expect(amplitude(f.components.weekly, 0, 7 * DAY)).toBeLessThan(5.15);
  });

  it('estimates the noise level (sd 1) and composes yhat = trend · (1 + mult) + additive', () => {
    expect(model.state.sigmaObs * model.state.yScale).toBeGreaterThan(0.95);
    expect(model.state.sigmaObs * model.state.yScale).toBeLessThan(1.05);
    for (const i of [0, 1000, 5000]) {
      expect(f.yhat[i]).toBeCloseTo(f.trend[i] * (1 + f.multiplicativeTerms[i]) + f.additiveTerms[i], 10);
      expect(f.additiveTerms[i]).toBeCloseTo(f.components.daily[i] + f.components.weekly[i], 10);
    }
  });

  it('fits a flat trend as a constant level', () => {
    const flat = synthetic({ days: 7, level: 50, daily: 4, noise: 0.5, seed: 3 });
    const m = new Prophet({ growth: 'flat', uncertaintySamples: 0 }).fit(flat);
    const trend = m.predict(flat.timestamps).trend;
    expect(trend[0]).toBeCloseTo(50, 1);
    expect(trend[trend.length - 1]).toBe(trend[0]);
  });
});

describe('Prophet: data handling', () => {
  it('skips missing values (NaN) as Prophet drops null rows', () => {
    const data = synthetic({ days: 14, slope: 1, daily: 5, seed: 4 });
    const holed = Float64Array.from(data.values);
    for (let i = 100; i < holed.length; i += 7) holed[i] = Number.NaN;
    const full = new Prophet({ uncertaintySamples: 0 }).fit(data).predict(data.timestamps).yhat;
    const gappy = new Prophet({ uncertaintySamples: 0 }).fit({ ...data, values: holed });
    expect(gappy.state.nObserved).toBe(data.values.length - Math.ceil((holed.length - 100) / 7));
    const yhat = gappy.predict(data.timestamps).yhat;
    let worst = 0;
    for (let i = 0; i < yhat.length; i++) worst = Math.max(worst, Math.abs(yhat[i] - full[i]));
    expect(worst).toBeLessThan(0.3);
  });

  it('throws typed errors for bad input', () => {
    const m = new Prophet();
    expect(codeOf(() => m.fit({ timestamps: [START], values: [1] }))).toBe('TOO_SHORT');
    expect(
      codeOf(() => m.fit({ timestamps: [START, START + 1, START + 2], values: [1, Number.NaN, Number.NaN] })),
    ).toBe('TOO_SHORT');
    expect(codeOf(() => m.fit({ timestamps: [START, START + 1], values: [Number.NaN, Number.NaN] }))).toBe(
      'ALL_NAN',
    );
    expect(codeOf(() => m.fit({ timestamps: [], values: [] }))).toBe('EMPTY_INPUT');
    expect(codeOf(() => m.fit({ timestamps: [2, 1], values: [1, 2] }))).toBe('UNSORTED_TIMESTAMPS');
    expect(codeOf(() => m.fit({ timestamps: [1, 2], values: [1, Number.POSITIVE_INFINITY] }))).toBe(
      'NON_FINITE_VALUE',
    );
    expect(codeOf(() => m.predict([START]))).toBe('NOT_FITTED');
    const logistic = new Prophet({ growth: 'logistic' });
    let err: unknown;
    try {
      logistic.fit({ timestamps: [1, 2, 3], values: [1, 2, 3] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VigilInputError);
    expect((err as VigilInputError).code).toBe('INVALID_OPTION');
    expect((err as VigilInputError).field).toBe('cap');
    expect((err as VigilInputError).message).toMatch(/cap/);
    expect(codeOf(() => new Prophet({ changepointPriorScale: -1 }))).toBe('INVALID_OPTION');
    expect(codeOf(() => new Prophet({ intervalWidth: 1 }))).toBe('INVALID_OPTION');
    expect(codeOf(() => new Prophet({ growth: 'cubic' as 'linear' }))).toBe('INVALID_OPTION');
    expect(codeOf(() => new Prophet({ seasonalities: [{ name: 'x', period: 0, fourierOrder: 3 }] }))).toBe(
      'INVALID_OPTION',
    );
  });

  it('keeps the previous fit when a fit fails', () => {
    const data = synthetic({ days: 3, seed: 5 });
    const m = new Prophet({ uncertaintySamples: 0 }).fit(data);
    const before = m.predict(data.timestamps).yhat;
    expect(() => m.fit({ timestamps: [1], values: [1] })).toThrow(VigilInputError);
    expect(m.predict(data.timestamps).yhat).toEqual(before);
  });
});

describe('Prophet: model variants', () => {
  it('fits a logistic trend that saturates below cap', () => {
    const n = 10 * DAY + 1;
    const timestamps = Float64Array.from({ length: n }, (_, i) => START + i * STEP_MS);
    const values = Float64Array.from(
      { length: n },
      (_, i) => 100 / (1 + Math.exp(-(i / DAY - 4) * 1.2)) + Math.sin(i * 7.1) * 0.5,
    );
    const cap = new Float64Array(n).fill(100);
    const m = new Prophet({ growth: 'logistic', uncertaintySamples: 0, dailySeasonality: false }).fit({
      timestamps,
      values,
      cap,
    });
    expect(m.state.fitInfo.solver).toBe('gauss-newton');
    expect(m.state.fitInfo.converged).toBe(true);
    const future = Float64Array.from({ length: 3 * DAY }, (_, i) => START + (n + i) * STEP_MS);
    const f = m.predict({ timestamps: future, cap: new Float64Array(future.length).fill(100) });
    for (const v of f.trend) {
      expect(v).toBeLessThan(100);
      expect(v).toBeGreaterThan(95);
    }
    const inSample = m.predict({ timestamps, cap }).yhat;
    let sse = 0;
    for (let i = 0; i < n; i++) sse += (inSample[i] - values[i]) ** 2;
    expect(Math.sqrt(sse / n)).toBeLessThan(1);
  });

  it('scales by min–max when asked, and keeps a logistic trend between floor and cap', () => {
    const data = synthetic({ days: 7, level: 300, slope: -2, daily: 5, noise: 0.5, seed: 12 });
    const m = new Prophet({ scaling: 'minmax', uncertaintySamples: 0 }).fit(data);
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const v of data.values) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    expect(m.state.yMin).toBe(lo);
    expect(m.state.yScale).toBe(hi - lo);
    const yhat = m.predict(data.timestamps).yhat;
    let sse = 0;
    for (let i = 0; i < yhat.length; i++) sse += (yhat[i] - data.values[i]) ** 2;
    expect(Math.sqrt(sse / yhat.length)).toBeLessThan(0.6);

    const n = data.values.length;
    const floor = new Float64Array(n).fill(250);
    const cap = new Float64Array(n).fill(320);
    const logistic = new Prophet({ growth: 'logistic', scaling: 'minmax', uncertaintySamples: 0 }).fit({
      ...data,
      cap,
      floor,
    });
    expect(logistic.state.logisticFloor).toBe(true);
    const later = Float64Array.from(
      { length: 3 * DAY },
      (_, i) => data.timestamps[n - 1] + (i + 1) * STEP_MS * 20,
    );
    const f = logistic.predict({
      timestamps: later,
      cap: new Float64Array(later.length).fill(320),
      floor: new Float64Array(later.length).fill(250),
    });
    for (const v of f.trend) {
      expect(v).toBeGreaterThan(250);
      expect(v).toBeLessThan(320);
    }
  });

  it('fits multiplicative seasonality whose amplitude grows with the trend', () => {
    const n = 14 * DAY + 1;
    const timestamps = Float64Array.from({ length: n }, (_, i) => START + i * STEP_MS);
    const values = Float64Array.from({ length: n }, (_, i) => {
      const trend = 50 + 10 * (i / DAY);
      return trend * (1 + 0.2 * Math.sin((2 * Math.PI * i) / DAY)) + Math.cos(i * 3.3) * 0.3;
    });
    const m = new Prophet({ seasonalityMode: 'multiplicative', uncertaintySamples: 0 }).fit({
      timestamps,
      values,
    });
    const f = m.predict(timestamps);
    expect(amplitude(f.components.daily, 0, DAY)).toBeGreaterThan(0.19);
    expect(amplitude(f.components.daily, 0, DAY)).toBeLessThan(0.21);
    expect(f.additiveTerms[500]).toBe(0);
  });

  it('estimates a holiday effect over its window and an extra regressor coefficient', () => {
    const data = synthetic({ days: 28, daily: 3, noise: 0.5, seed: 6 });
    const promo = new Float64Array(data.values.length);
    const values = Float64Array.from(data.values);
    const holiday = Date.UTC(2026, 0, 15);
    for (let i = 0; i < values.length; i++) {
      const day = Math.floor(data.timestamps[i] / DAY_MS) - Math.floor(holiday / DAY_MS);
      if (day === 0 || day === 1) values[i] += 20;
      promo[i] = Math.sin(i / 50) > 0.7 ? 1 : 0;
      values[i] += 4 * promo[i];
    }
    const m = new Prophet({
      uncertaintySamples: 0,
      holidays: [{ name: 'launch', dates: [holiday], upperWindow: 1 }],
      regressors: [{ name: 'promo' }],
    }).fit({ ...data, values, regressors: { promo } });
    const f = m.predict({ timestamps: data.timestamps, regressors: { promo } });
    const onHoliday = Math.round((holiday - START) / STEP_MS) + 100;
    expect(f.components.launch[onHoliday]).toBeGreaterThan(19);
    expect(f.components.launch[onHoliday]).toBeLessThan(21);
    expect(f.components.launch[onHoliday + 2 * DAY]).toBe(0);
    // A binary regressor is not standardised, so its component is exactly coefficient × value.
    const on = promo.indexOf(1);
    expect(f.components.promo[on]).toBeGreaterThan(3.8);
    expect(f.components.promo[on]).toBeLessThan(4.2);
    expect(() => m.predict(data.timestamps)).toThrow(/promo/);
  });

  it('honours explicit changepoints and a custom seasonality', () => {
    const data = synthetic({ days: 10, slope: 1, changes: [{ day: 5, slope: 3 }], noise: 0.3, seed: 8 });
    const m = new Prophet({
      uncertaintySamples: 0,
      changepoints: [START + 5 * DAY_MS],
      dailySeasonality: false,
      seasonalities: [{ name: 'half-day', period: 0.5, fourierOrder: 2 }],
    }).fit(data);
    expect(m.state.changepoints).toEqual([START + 5 * DAY_MS]);
    const perDay = (m.state.yScale * DAY_MS) / m.state.tScale;
    expect(m.state.delta[0] * perDay).toBeCloseTo(2, 1);
    expect(Object.keys(m.predict(data.timestamps.subarray(0, 10)).components)).toEqual(['half-day']);
  });
});

describe('Prophet: uncertainty and serialisation', () => {
  const data = synthetic({
    days: 14,
    slope: 1,
    changes: [{ day: 6, slope: -0.5 }],
    daily: 6,
    noise: 2,
    seed: 9,
  });
  const future = Float64Array.from(
    { length: 2 * DAY },
    (_, i) => data.timestamps[data.timestamps.length - 1] + (i + 1) * STEP_MS,
  );

  it('covers about intervalWidth of in-sample points and widens with the horizon', () => {
    const m = new Prophet({ intervalWidth: 0.8 }).fit(data);
    const f = m.predict(data.timestamps);
    let inside = 0;
    for (let i = 0; i < f.yhat.length; i++)
      if (data.values[i] >= f.yhatLower[i] && data.values[i] <= f.yhatUpper[i]) inside++;
    expect(inside / f.yhat.length).toBeGreaterThan(0.77);
    expect(inside / f.yhat.length).toBeLessThan(0.83);
    const ahead = m.predict(future);
    const width = (i: number) => ahead.yhatUpper[i] - ahead.yhatLower[i];
    expect(width(ahead.yhat.length - 1)).toBeGreaterThan(width(0));
    for (let i = 0; i < ahead.yhat.length; i++) {
      expect(ahead.yhatLower[i]).toBeLessThan(ahead.yhat[i]);
      expect(ahead.yhatUpper[i]).toBeGreaterThan(ahead.yhat[i]);
    }
  });

  it('gives bit-identical intervals for the same seed and different ones for another seed', () => {
    const a = new Prophet({ seed: 1, uncertaintySamples: 200 }).fit(data).predict(future);
    const b = new Prophet({ seed: 1, uncertaintySamples: 200 }).fit(data).predict(future);
    const c = new Prophet({ seed: 2, uncertaintySamples: 200 }).fit(data).predict(future);
    expect(b.yhatLower).toEqual(a.yhatLower);
    expect(b.yhatUpper).toEqual(a.yhatUpper);
    expect(c.yhatUpper).not.toEqual(a.yhatUpper);
  });

  it('round-trips through JSON and predicts bit-identically', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.constantFrom<'linear' | 'flat'>('linear', 'flat'),
        (seed, growth) => {
          const series = synthetic({ days: 3, slope: 2, daily: 3, seed });
          const m = new Prophet({ growth, seed, uncertaintySamples: 50 }).fit(series);
          const copy = Prophet.fromJSON(JSON.parse(JSON.stringify(m)));
          const later = Float64Array.from(
            { length: 20 },
            (_, i) => series.timestamps[series.timestamps.length - 1] + (i + 1) * STEP_MS,
          );
          const x = m.predict(later);
          const y = copy.predict(later);
          expect(y.yhat).toEqual(x.yhat);
          expect(y.yhatLower).toEqual(x.yhatLower);
          expect(y.yhatUpper).toEqual(x.yhatUpper);
        },
      ),
      { numRuns: 12 },
    );
  });

  it('rejects a malformed snapshot', () => {
    expect(codeOf(() => Prophet.fromJSON(null as never))).toBe('INVALID_SNAPSHOT');
    const m = new Prophet().fit(synthetic({ days: 2 }));
    const json = JSON.parse(JSON.stringify(m));
    json.state.beta = [1];
    expect(codeOf(() => Prophet.fromJSON(json))).toBe('INVALID_SNAPSHOT');
  });
});
