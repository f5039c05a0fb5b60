/**
 * Chooses the default ensemble's member weights on a tuning corpus generated with another seed (7) than the
 * benchmark's (2026), so the benchmark stays an out-of-sample test. For each series the members are fitted and
 * streamed exactly as EnsembleDetector does (fit on the first 60% of training, stream the rest to calibrate, then
 * stream the test part); each weight vector is then scored offline from the cached member scores.
 * Run: npx tsx bench/accuracy/tune-ensemble.ts — prints the ranking and writes bench/results/ensemble-tuning.json.
 */
import { TailCalibrator } from '@vigil/core';
import { createDetector } from '@vigil/detectors';
// evidence() is the ensemble's internal transform, not part of the package's public surface.
import { evidence } from '../../packages/detectors/src/ensemble/combine.js';
import { type Row, writeResult } from '../lib/report.js';
import { generateCorpus, TRAIN, testLabels } from './corpus.js';
import { corpusCounts, f1, PROFILES, type ScoredSeries, windowScore } from './metrics.js';

const KINDS = ['zscore', 'mad', 'prophet', 'isolation-forest'] as const;
const OPTIONS: Record<string, object> = {
  zscore: { window: 48 },
  mad: { window: 48 },
  prophet: { refitEvery: 288 },
  'isolation-forest': { seed: 1 },
};

interface Cached {
  calib: Float64Array[];
  test: Float64Array[];
  labels: ScoredSeries['labels'];
  missing: Uint8Array;
}

const corpus = generateCorpus(7, Number(process.env.VIGIL_TUNE_SERIES ?? 96));
const cut = Math.floor(TRAIN * 0.6);
const cached: Cached[] = [];
for (const s of corpus) {
  const calib: Float64Array[] = [];
  const test: Float64Array[] = [];
  for (const kind of KINDS) {
    const d = createDetector(kind, OPTIONS[kind]);
    await d.fit({ timestamps: s.timestamps.subarray(0, cut), values: s.values.subarray(0, cut) });
    const c = new Float64Array(TRAIN - cut);
    for (let i = cut; i < TRAIN; i++) c[i - cut] = evidence(d.update!(s.timestamps[i], s.values[i]).score);
    const t = new Float64Array(s.values.length - TRAIN);
    for (let i = TRAIN; i < s.values.length; i++)
      t[i - TRAIN] = evidence(d.update!(s.timestamps[i], s.values[i]).score);
    calib.push(c);
    test.push(t);
  }
  const labels = testLabels(s);
  const missing = Uint8Array.from(s.values.subarray(TRAIN), (v) => (Number.isNaN(v) ? 1 : 0));
  cached.push({ calib, test, labels, missing });
}

function evaluate(weights: readonly number[], rule: 'mean' | 'max'): { f1: number; nab: number; fp: number } {
  const scored: ScoredSeries[] = cached.map((c) => {
    const combine = (arrs: Float64Array[], i: number) => {
      if (rule === 'max') {
        let m = 0;
        for (let k = 0; k < arrs.length; k++) if (weights[k] > 0 && arrs[k][i] > m) m = arrs[k][i];
        return m;
      }
      let num = 0;
      let den = 0;
      for (let k = 0; k < arrs.length; k++) {
        num += weights[k] * arrs[k][i];
        den += weights[k];
      }
      return num / den;
    };
    const calRaw = Float64Array.from(c.calib[0], (_, i) => combine(c.calib, i));
    const cal = TailCalibrator.fit(calRaw);
    const score = Float64Array.from(c.test[0], (_, i) => (c.missing[i] ? 0 : cal.score(combine(c.test, i))));
    return {
      score,
      flags: Uint8Array.from(score, (x) => (x >= 0.999 ? 1 : 0)),
      labels: c.labels,
      missing: c.missing,
    };
  });
  const counts = corpusCounts(scored);
  return { f1: f1(counts).f1, nab: windowScore(scored, PROFILES.standard), fp: counts.fpAlarms };
}

const rows: Row[] = [];
const grid = [0, 0.5, 1, 2];
for (const wz of grid)
  for (const wm of grid)
    for (const wp of grid)
      for (const wi of grid) {
        const w = [wz, wm, wp, wi];
        if (w.filter((x) => x > 0).length < 2) continue;
        for (const rule of ['mean', 'max'] as const) {
          if (rule === 'max' && w.some((x) => x !== 0 && x !== 1)) continue;
          const r = evaluate(w, rule);
          rows.push({
            rule,
            zscore: wz,
            mad: wm,
            prophet: wp,
            'isolation-forest': wi,
            f1: r.f1,
            nab: r.nab,
            fp: r.fp,
          });
        }
      }
for (const kind of KINDS) {
  const w = KINDS.map((k) => (k === kind ? 1 : 0));
  const r = evaluate(w, 'mean');
  rows.push({
    rule: 'single',
    ...Object.fromEntries(KINDS.map((k, i) => [k, w[i]])),
    f1: r.f1,
    nab: r.nab,
    fp: r.fp,
  });
}
// Rank by the sum of F1 and the window score (scaled to 0..1): both are what the default ensemble must win.
rows.sort(
  (a, b) => (b.f1 as number) + (b.nab as number) / 100 - ((a.f1 as number) + (a.nab as number) / 100),
);
writeResult('ensemble-tuning', rows.slice(0, 25), { corpusSeed: 7, series: corpus.length, allRows: rows });
