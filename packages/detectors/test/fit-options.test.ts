// Long fits report progress and can be stopped: every detector whose fit can take seconds takes
// `{ onProgress, signal }`, reports a non-decreasing fraction that ends at 1, and on an abort throws the typed
// VigilAbortError (code ABORTED, name AbortError) and keeps its previous fit.
import { type FitProgress, seriesFromStep, VigilAbortError, VigilError } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import '../src/index.js';
import { AdaptiveEnsemble } from '../src/adaptive/adaptive-ensemble.js';
import { EnsembleDetector } from '../src/ensemble/ensemble.js';
import { IsolationForestDetector } from '../src/isolation-forest/detector.js';
import { LstmDetector } from '../src/lstm/detector.js';
import { ProphetDetector } from '../src/prophet/detector.js';
import { seasonal, TINY } from './lstm/fixtures.js';

const daily = (n: number, seed = 1) => {
  let s = seed;
  const noise = () => ((s = (s * 16807) % 2147483647) / 2147483647 - 0.5) * 0.2;
  return seriesFromStep(
    0,
    300_000,
    Array.from({ length: n }, (_, i) => 10 + Math.sin((2 * Math.PI * i) / 288) + noise()),
  );
};

async function aborted(fit: Promise<void>): Promise<VigilAbortError> {
  try {
    await fit;
  } catch (e) {
    expect(e).toBeInstanceOf(VigilAbortError);
    expect(e).toBeInstanceOf(VigilError);
    expect([(e as VigilAbortError).code, (e as VigilAbortError).name]).toEqual(['ABORTED', 'AbortError']);
    return e as VigilAbortError;
  }
  throw new Error('the fit was not aborted');
}

function expectProgress(reports: FitProgress[], kind: string): void {
  expect(reports.length).toBeGreaterThan(1);
  expect(reports.every((r) => r.kind === kind && r.message.length > 0)).toBe(true);
  for (let i = 1; i < reports.length; i++)
    expect(reports[i].fraction).toBeGreaterThanOrEqual(reports[i - 1].fraction);
  expect(reports[0].fraction).toBe(0);
  expect(reports.at(-1)?.fraction).toBe(1);
}

describe('fit({ onProgress, signal })', { timeout: 120_000 }, () => {
  it('lstm: one report per epoch, and an abort stops training within a batch, keeping the previous fit', async () => {
    const train = seasonal(300, 1);
    const d = new LstmDetector({ ...TINY, epochs: 6, patience: 100, backend: 'cpu' });
    const reports: FitProgress[] = [];
    await d.fit(train, { onProgress: (p) => reports.push(p) });
    expectProgress(reports, 'lstm');
    const epochs = reports.filter((r) => r.phase === 'train' && r.done > 0);
    expect(epochs.map((r) => r.done)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(epochs[0].message).toMatch(/^epoch 1\/6: loss \S+, validation \S+$/);
    const before = (await d.score(train)).score;

    // Stop after the second epoch: the fit throws, and the detector scores exactly as before.
    const controller = new AbortController();
    const seen: number[] = [];
    const e = await aborted(
      d.fit(seasonal(300, 2), {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.phase === 'train') seen.push(p.done);
          if (p.done === 2) controller.abort(new Error('enough'));
        },
      }),
    );
    expect((e.cause as Error).message).toBe('enough');
    expect(seen).toEqual([0, 1, 2]);
    expect((await d.score(train)).score).toEqual(before);
  });

  it('lstm: a timer abort lands mid-training (the loop yields between batches)', async () => {
    const d = new LstmDetector({ ...TINY, epochs: 500, patience: 1000, backend: 'cpu' });
    const epochs: number[] = [];
    const t0 = performance.now();
    await aborted(
      d.fit(seasonal(600, 3), {
        signal: AbortSignal.timeout(300),
        onProgress: (p) => epochs.push(p.done),
      }),
    );
    expect(performance.now() - t0).toBeLessThan(60_000);
    expect(Math.max(...epochs)).toBeLessThan(500);
    expect(d.fitted).toBe(false);
  });

  it('prophet: reports the MAP fit, the band and calibration, and an abort between them keeps the old model', async () => {
    const d = new ProphetDetector();
    const reports: FitProgress[] = [];
    await d.fit(daily(2000), { onProgress: (p) => reports.push(p) });
    expectProgress(reports, 'prophet');
    expect(reports.map((r) => r.phase)).toEqual(['map', 'band', 'calibrate', 'done']);
    const probe = daily(300, 9);
    const before = (await d.score(probe)).score;
    const controller = new AbortController();
    await aborted(
      d.fit(daily(2000, 5), {
        signal: controller.signal,
        onProgress: (p) => p.phase === 'band' && controller.abort(),
      }),
    );
    expect((await d.score(probe)).score).toEqual(before);
    // An already aborted signal stops it before any work.
    await aborted(new ProphetDetector().fit(daily(2000), { signal: AbortSignal.abort() }));
  });

  it('isolation forest: reports growing and calibrating, and stops on abort', async () => {
    const reports: FitProgress[] = [];
    const d = new IsolationForestDetector({ seed: 1 });
    await d.fit(daily(3000), { onProgress: (p) => reports.push(p) });
    expectProgress(reports, 'isolation-forest');
    expect(reports.map((r) => r.phase)).toEqual(['grow', 'calibrate', 'done']);
    const fresh = new IsolationForestDetector({ seed: 1 });
    const controller = new AbortController();
    await aborted(
      fresh.fit(daily(3000), { signal: controller.signal, onProgress: () => controller.abort() }),
    );
    expect(fresh.fitted).toBe(false);
  });

  it('combining ensemble: member progress scaled into one fraction, and the signal reaches the members', async () => {
    const d = new EnsembleDetector({ members: [{ kind: 'zscore' }, { kind: 'prophet' }] });
    const reports: FitProgress[] = [];
    await d.fit(daily(2000), { onProgress: (p) => reports.push(p) });
    expectProgress(reports, 'ensemble');
    expect([...new Set(reports.map((r) => r.phase))]).toEqual(['member:zscore', 'member:prophet', 'done']);
    expect(reports.some((r) => r.message.startsWith('member 2/2 (prophet): MAP fit done'))).toBe(true);
    const controller = new AbortController();
    await aborted(
      new EnsembleDetector({ members: [{ kind: 'zscore' }, { kind: 'prophet' }] }).fit(daily(2000), {
        signal: controller.signal,
        onProgress: (p) => p.phase === 'member:prophet' && controller.abort(),
      }),
    );
  });

  it('default ensemble: reports every 65 536 points learnt and stops on abort', async () => {
    const long = daily(140_000);
    const reports: FitProgress[] = [];
    const d = new AdaptiveEnsemble();
    await d.fit(long, { onProgress: (p) => reports.push(p) });
    expect(reports.map((r) => [r.phase, r.done])).toEqual([
      ['learn', 65_536],
      ['learn', 131_072],
      ['done', 140_000],
    ]);
    const controller = new AbortController();
    const fresh = new AdaptiveEnsemble();
    await aborted(fresh.fit(long, { signal: controller.signal, onProgress: () => controller.abort() }));
    expect(fresh.fitted).toBe(false);
  });
});
