/**
 * Every registered kind through NAB's streaming protocol on the 34 real and artificial series of ../shared/nab-dev
 * (fit on the probation period, then `update(t, x)` for every later point): no throw, and every score finite in
 * [0, 1]. The corpus lives outside the repository; without it this suite skips and says why, and with
 * VIGIL_REQUIRE_SHARED=1 (CI) it fails instead.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Detector, type Series, type SeriesLike, seriesFromCsv, sliceSeries } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import { createDetector, detectorKinds, refitIfDue } from '../../src/index.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const corpus = resolve(repoRoot, '../shared/nab-dev');
const dataDir = resolve(corpus, 'data');
const present = existsSync(dataDir);
const required = process.env.VIGIL_REQUIRE_SHARED === '1';

// One configuration per kind for every file. The slow kinds get small models: this suite checks robustness, not
// accuracy (bench/nab measures that). `ensemble` is the combining EnsembleDetector with explicit members; the
// default `createDetector('ensemble')` is measured by bench/nab.
const CONFIGS: Record<string, object> = {
  zscore: {},
  mad: {},
  'isolation-forest': { seed: 1, nTrees: 20 },
  prophet: { uncertaintySamples: 100, refitEvery: 50 },
  lstm: { seed: 1, epochs: 1, window: 8, units: 4, batchSize: 256 },
  ensemble: {
    members: [{ kind: 'zscore' }, { kind: 'mad', options: { window: 48 } }],
    calibrationShare: 0.4,
  },
};

// Prophet (≈ 2 ms per streamed point) and the LSTM (a forward pass per point) would take minutes on the 210 000
// streamed points: they stream the first STREAM_WINDOW points after probation and the STREAM_WINDOW points around
// every repeated timestamp (Prophet with refitEvery 50, so its refits see the repeats), with a time gap between.
const SLOW = new Set(['prophet', 'lstm']);
const STREAM_WINDOW = 100;

function files(): string[] {
  return readdirSync(dataDir)
    .flatMap((category) => readdirSync(resolve(dataDir, category)).map((f) => `${category}/${f}`))
    .filter((f) => f.endsWith('.csv'))
    .sort();
}

// Indices streamed after probation: all of them, or for the slow kinds the windows described above.
function streamed(s: Series, probation: number, slow: boolean): number[] {
  const n = s.values.length;
  const all = Array.from({ length: n - probation }, (_, k) => probation + k);
  if (!slow) return all;
  const keep = new Uint8Array(n);
  for (let i = probation; i < Math.min(n, probation + STREAM_WINDOW); i++) keep[i] = 1;
  for (let i = probation + 1; i < n; i++) {
    if (s.timestamps[i] !== s.timestamps[i - 1]) continue;
    for (let j = Math.max(probation, i - STREAM_WINDOW / 2); j < Math.min(n, i + STREAM_WINDOW / 2); j++)
      keep[j] = 1;
  }
  return all.filter((i) => keep[i]);
}

interface KindReport {
  files: number;
  points: number;
  repeated: number;
  outOfRange: string[];
}

async function runKind(kind: string): Promise<KindReport> {
  const report: KindReport = { files: 0, points: 0, repeated: 0, outOfRange: [] };
  for (const file of files()) {
    // Every row counts in NAB, including the few that repeat a timestamp.
    const s = seriesFromCsv(readFileSync(resolve(dataDir, file), 'utf8'), { duplicates: 'keep' });
    const n = s.values.length;
    const probation = Math.min(Math.floor(0.15 * n), 750);
    const detector = createDetector<Detector<SeriesLike>>(kind, CONFIGS[kind]);
    try {
      // fit merges repeated timestamps by its default policy ('last').
      await detector.fit(sliceSeries(s, 0, probation));
      for (const i of streamed(s, probation, SLOW.has(kind))) {
        const p = detector.update!(s.timestamps[i], s.values[i]);
        report.points++;
        if (i > 0 && s.timestamps[i] === s.timestamps[i - 1]) {
          report.repeated++;
          expect(p.status, `${kind} on ${file} row ${i + 2}: a repeated timestamp is scored`).toBe('scored');
        }
        if (!(Number.isFinite(p.score) && p.score >= 0 && p.score <= 1)) {
          report.outOfRange.push(`${file} row ${i + 2}: ${p.score}`);
        }
        await refitIfDue(detector);
      }
    } catch (e) {
      throw new Error(`${kind} threw on ${file}: ${(e as Error).message}`);
    }
    report.files++;
  }
  return report;
}

describe('every kind through NAB’s protocol on ../shared/nab-dev', { timeout: 180_000 }, () => {
  it('covers every registered kind', () => {
    expect(Object.keys(CONFIGS).sort()).toEqual(detectorKinds());
  });

  for (const kind of Object.keys(CONFIGS)) {
    it(`${kind}: fits every file's probation and streams the rest without throwing, scores finite in [0, 1]`, async (ctx) => {
      if (!present) {
        if (required) {
          throw new Error(`VIGIL_REQUIRE_SHARED=1 but the NAB corpus is missing: no ${dataDir}.`);
        }
        ctx.skip(
          `the NAB corpus is not at ${corpus} (a fresh clone has no ../shared); set VIGIL_REQUIRE_SHARED=1 to fail instead`,
        );
        return;
      }
      const report = await runKind(kind);
      expect(report.files).toBe(34);
      expect(report.outOfRange).toEqual([]);
      // exchange-2 (cpc, cpm) and the t4013 traffic files each repeat one timestamp after probation.
      expect(report.repeated).toBe(4);
      expect(report.points).toBeGreaterThan(SLOW.has(kind) ? 34 * STREAM_WINDOW : 200_000);
    });
  }
});
