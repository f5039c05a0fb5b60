/**
 * bench/nab: Vigil's detectors on real labelled metrics, through NAB's streaming protocol, scored by NAB's scorer.
 *
 * For each kind and each nab-dev file: `createDetector(kind, options)`, `fit` on the probation points, then
 * `update(t, x)` for every later point (score, then learn), exactly as a user streams a series. The scores are
 * written in NAB's results layout and scored by ../shared/nab-dev/score.mjs twice: at the corpus-optimal threshold
 * (NAB's convention) and at the detector's own default threshold (what a user gets), under all three profiles.
 *
 * The score column is the detector's score, except where the detector itself declined to alarm at or above its
 * threshold (`isAnomaly` false: a repeat inside an event it already reported); such points are written just below
 * the threshold, so that NAB counts the alarms a user would get. For detectors that alarm on every point at or above
 * their threshold this changes nothing.
 *
 *   npm run bench -- nab                                  every kind
 *   npx tsx bench/nab/main.ts --kind ensemble             one kind (its row in nab-dev.json is replaced)
 *   npx tsx bench/nab/main.ts --kind mad --options '{"window":120}'
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { PointScore } from '@vigil/core';
import { createDetector, refitIfDue } from '@vigil/detectors';
import { formatTable, mergeRows, type Row, readResult, writeResult } from '../lib/report.js';
import { loadNabDev, NAB_DEV, type NabFile, nabDevAvailable } from './corpus.js';
import { PUBLISHED } from './published.js';

const PROFILES = ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate'] as const;
const ALL_KINDS = ['ensemble', 'zscore', 'mad', 'prophet', 'isolation-forest', 'lstm'];

interface Run {
  kind: string;
  options?: object;
}

function parseArgs(argv: string[]): Run[] {
  const runs: Run[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--kind') runs.push({ kind: argv[++i] });
    else if (argv[i] === '--options') {
      const last = runs.at(-1);
      if (!last) throw new Error('--options follows the --kind it belongs to');
      last.options = JSON.parse(argv[++i]);
    } else throw new Error(`unknown argument ${argv[i]}; use --kind K [--options JSON] ...`);
  }
  return runs.length > 0 ? runs : ALL_KINDS.map((kind) => ({ kind }));
}

interface Streamed {
  threshold: number;
  seconds: number;
  points: number;
  dropped: number;
  errors: string[];
}

/** Streams every file through one detector per file and writes `<dir>/<category>/<name>.csv`. */
async function stream(run: Run, files: readonly NabFile[], dir: string): Promise<Streamed> {
  let threshold = Number.NaN;
  let seconds = 0;
  let points = 0;
  let dropped = 0;
  const errors: string[] = [];
  for (const [index, f] of files.entries()) {
    const n = f.values.length;
    const scores = new Float64Array(n);
    const started = performance.now();
    try {
      const detector = createDetector(run.kind, run.options);
      threshold = detector.threshold;
      await detector.fit({
        timestamps: f.timestamps.subarray(0, f.probation),
        values: f.values.subarray(0, f.probation),
      });
      if (!detector.update) throw new Error(`${run.kind} does not stream (no update)`);
      for (let i = f.probation; i < n; i++) {
        const p = detector.update(f.timestamps[i], f.values[i]);
        if (p.status === 'dropped') dropped++;
        scores[i] = alarmScore(p, threshold);
        // Offline replay: refit in line when the detector asks (a Pipeline would do it in a worker thread).
        await refitIfDue(detector);
      }
    } catch (e) {
      errors.push(`${f.relPath}: ${(e as Error).message}`);
    }
    seconds += (performance.now() - started) / 1000;
    points += n;
    const lines = ['timestamp,value,anomaly_score'];
    for (let i = 0; i < n; i++) lines.push(`${f.timestampStrings[i]},${f.values[i]},${scores[i]}`);
    const out = join(dir, f.relPath);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${lines.join('\n')}\n`);
    process.stdout.write(`\r  ${run.kind}: ${index + 1}/${files.length} files, ${seconds.toFixed(1)} s`);
  }
  process.stdout.write('\n');
  return { threshold, seconds, points, dropped, errors };
}

/** The score a NAB results file gets: repeats the detector chose not to alarm on sit just below its threshold. */
export function alarmScore(p: PointScore, threshold: number): number {
  return p.score >= threshold && !p.isAnomaly ? threshold - 2 * Number.EPSILON : p.score;
}

// biome-ignore lint/suspicious/noExplicitAny: score.mjs's JSON report
type ScoreReport = any;

/** Runs NAB's scorer on a results directory; `threshold` fixes it, otherwise the scorer optimizes it. */
function score(dir: string, threshold?: number): ScoreReport {
  const args = [join(NAB_DEV, 'score.mjs'), dir, '--name', 'vigil', '--json'];
  if (threshold !== undefined) args.push('--threshold', String(threshold));
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  return JSON.parse(out).vigil;
}

async function main(): Promise<void> {
  if (!nabDevAvailable()) {
    console.log(
      `bench/nab: skipped — nab-dev not found at ${NAB_DEV} (it lives in ../shared beside the repository).`,
    );
    return;
  }
  const runs = parseArgs(process.argv.slice(2));
  const { files, windows } = await loadNabDev();
  console.log(
    `nab-dev: ${files.length} files, ${windows} labelled windows, ${files.reduce((s, f) => s + f.values.length, 0)} points`,
  );
  const root = join(tmpdir(), `vigil-nab-${process.pid}`);
  const fresh: Row[] = [];
  const details: Record<string, unknown> = {};
  try {
    for (const run of runs) {
      const name = run.options ? `${run.kind} ${JSON.stringify(run.options)}` : run.kind;
      const dir = join(root, run.kind);
      const s = await stream(run, files, dir);
      const best = score(dir);
      const atDefault = Number.isFinite(s.threshold) ? score(dir, s.threshold) : null;
      const row: Row = {
        detector: name,
        standard: round(best.profiles.standard.normalized),
        lowFP: round(best.profiles.reward_low_FP_rate.normalized),
        lowFN: round(best.profiles.reward_low_FN_rate.normalized),
        optimalThreshold: best.profiles.standard.threshold,
        windowsHit: `${best.profiles.standard.detectedWindows}/${windows}`,
        fpPoints: best.profiles.standard.fpPoints,
        defaultThreshold: s.threshold,
        standardAtDefault: atDefault ? round(atDefault.profiles.standard.normalized) : null,
        lowFPAtDefault: atDefault ? round(atDefault.profiles.reward_low_FP_rate.normalized) : null,
        lowFNAtDefault: atDefault ? round(atDefault.profiles.reward_low_FN_rate.normalized) : null,
        seconds: round(s.seconds),
        pointsPerSecond: Math.round(s.points / s.seconds),
        droppedPoints: s.dropped,
        errors: s.errors.length,
      };
      fresh.push(row);
      details[name] = {
        categories: Object.fromEntries(
          PROFILES.map((p) => [
            p,
            Object.fromEntries(
              Object.entries(best.profiles[p].categories).map(([c, v]) => [
                c,
                round((v as { normalized: number }).normalized),
              ]),
            ),
          ]),
        ),
        errors: s.errors,
      };
      if (s.errors.length > 0) console.log(`  ${s.errors.length} file(s) failed, e.g. ${s.errors[0]}`);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  console.log('\nPublished detectors on the same 34 files (nab-dev README):');
  console.log(formatTable(PUBLISHED));
  console.log(
    '\nVigil (normalized NAB scores; optimal = corpus-optimal threshold, "AtDefault" = the detector\'s own):',
  );
  // Runs of some kinds replace only their rows in the committed results (read now: another run may have written).
  const previous = readResult('nab-dev');
  const ran = new Set(fresh.map((r) => String(r.detector)));
  const categories = { ...((previous?.categories as Record<string, unknown> | undefined) ?? {}), ...details };
  writeResult('nab-dev', mergeRows((previous?.rows as Row[] | undefined) ?? [], fresh, ran), {
    protocol:
      'NAB v1.1: fit on the first min(floor(0.15 n), 750) points, then update(t, x) for every later point; one configuration for every file; scored by ../shared/nab-dev/score.mjs (sweep optimizer)',
    published: PUBLISHED,
    categories,
  });
}

function round(x: number | null | undefined): number | null {
  return x === null || x === undefined || !Number.isFinite(x) ? null : Math.round(x * 100) / 100;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
