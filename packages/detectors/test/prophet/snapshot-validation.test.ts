import { loadDetector } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import '../../src/index.js';
import { ProphetDetector } from '../../src/prophet/detector.js';
import { Prophet } from '../../src/prophet/prophet.js';
import { DAY, synthetic } from './synthetic.js';

// biome-ignore lint/suspicious/noExplicitAny: the edits reach into untyped snapshot JSON
type Json = any;

// A fitted model's snapshot with a holiday and a regressor, so that every part of the spec is present.
const history = synthetic({ days: 14, daily: 5, weekly: 3, noise: 0.5, seed: 3 });
const promo = Float64Array.from(history.timestamps, (_, i) => (i % DAY < 12 ? 1 : 0));
const model = new Prophet({
  holidays: [{ name: 'launch', dates: ['2026-01-10'], upperWindow: 1 }],
  regressors: [{ name: 'promo' }],
  uncertaintySamples: 50,
}).fit({ ...history, regressors: { promo } });
const text = JSON.stringify(model);

// Applies `edit` to a fresh copy of the snapshot and restores it.
function restoreEdited(edit: (json: Json) => void) {
  const json = JSON.parse(text);
  edit(json);
  return () => Prophet.fromJSON(json);
}

function rejection(edit: (json: Json) => void) {
  try {
    restoreEdited(edit)();
  } catch (e) {
    return e as { name: string; code: string; field: string; message: string };
  }
  throw new Error('the edited snapshot was accepted');
}

describe('Prophet snapshots are checked for size and range before anything is allocated', () => {
  it('restores an intact snapshot that forecasts identically', () => {
    const future = Float64Array.from(
      { length: 50 },
      (_, i) => history.timestamps.at(-1)! + (i - 10) * 300_000,
    );
    const regressors = { promo: new Float64Array(50) };
    const copy = restoreEdited(() => {})();
    expect(copy.predict({ timestamps: future, regressors }).yhat).toEqual(
      model.predict({ timestamps: future, regressors }).yhat,
    );
  });

  it('rejects fourierOrder 1e9 (which would allocate 2e9 columns) at once, naming the field', () => {
    const t0 = performance.now();
    const e = rejection((j) => {
      j.state.spec.seasonalities[0].fourierOrder = 1e9;
    });
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(e).toMatchObject({
      name: 'VigilInputError',
      code: 'INVALID_SNAPSHOT',
      field: 'state.spec.seasonalities[0].fourierOrder',
    });
    expect(e.message).toMatch(/must be <= 100; got 1000000000/);
  });

  it('rejects tScale 0 (a forecast that would never end) and other out-of-range scalars', () => {
    for (const [field, value] of [
      ['tScale', 0],
      ['tScale', -1],
      ['yScale', 0],
      ['sigmaObs', -0.1],
      ['nObserved', 1.5],
      ['k', null],
      ['start', 'yesterday'],
    ] as const) {
      const e = rejection((j) => {
        j.state[field] = value;
      });
      expect(e, `${field} = ${value}`).toMatchObject({ code: 'INVALID_SNAPSHOT', field: `state.${field}` });
    }
  });

  it('rejects sizes that disagree with each other or exceed what the options allow', () => {
    const cases: Array<[string, (j: Json) => void]> = [
      ['state.beta', (j) => j.state.beta.push(0)],
      ['state.beta[0]', (j) => (j.state.beta[0] = null)],
      ['state.delta', (j) => j.state.delta.pop()],
      ['state.tChange', (j) => (j.state.tChange = Array.from({ length: 30 }, (_, i) => i / 30))],
      ['state.tChange[1]', (j) => (j.state.tChange[1] = 2)],
      ['state.spec.holidays', (j) => j.state.spec.holidays.push(j.state.spec.holidays[0])],
      ['state.spec.holidays[0].upperWindow', (j) => (j.state.spec.holidays[0].upperWindow = 1e6)],
      ['state.spec.holidays[0].days', (j) => (j.state.spec.holidays[0].days = [1, 2])],
      ['state.spec.regressors[0].std', (j) => (j.state.spec.regressors[0].std = 0)],
      [
        'state.spec.seasonalities',
        (j) => (j.state.spec.seasonalities = Array(10).fill(j.state.spec.seasonalities[0])),
      ],
      ['state.spec.seasonalities[0].period', (j) => (j.state.spec.seasonalities[0].period = 0)],
      ['state.spec.seasonalities[0].mode', (j) => (j.state.spec.seasonalities[0].mode = 'sideways')],
      ['state.spec', (j) => (j.state.spec = null)],
    ];
    for (const [field, edit] of cases) {
      expect(rejection(edit), field).toMatchObject({ code: 'INVALID_SNAPSHOT', field });
    }
  });
});

describe('ProphetDetector snapshots check their streaming state', () => {
  it('rejects a history longer than maxHistory allows, mismatched lengths and bad counters', async () => {
    const d = new ProphetDetector({ maxHistory: 2000, uncertaintySamples: 100 });
    await d.fit(history);
    const snap = JSON.stringify(d.toJSON());
    expect(loadDetector(JSON.parse(snap))).toBeInstanceOf(ProphetDetector);
    const cases: Array<[string, (j: Json) => void]> = [
      ['state.historyTimestamps', (j) => (j.options.maxHistory = 100)],
      ['state.historyValues', (j) => j.state.historyValues.pop()],
      ['state.historyTimestamps[3]', (j) => (j.state.historyTimestamps[3] = j.state.historyTimestamps[2])],
      ['state.historyValues[0]', (j) => (j.state.historyValues[0] = 'x')],
      ['state.sinceRefit', (j) => (j.state.sinceRefit = -1)],
      ['state.run', (j) => (j.state.run = Array(1000).fill(1))],
    ];
    for (const [field, edit] of cases) {
      const json = JSON.parse(snap);
      edit(json);
      expect(() => loadDetector(json), field).toThrowError(
        expect.objectContaining({ code: 'INVALID_SNAPSHOT', field }),
      );
    }
  });
});
