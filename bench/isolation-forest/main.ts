/**
 * Isolation Forest: Vigil side by side with the JavaScript peers `ml-isolation-forest` and `isolation-forest`, and
 * with a slow object-per-node reference written from the paper (scikit-learn cannot be installed here, so the
 * reference stands in for it as the accuracy baseline). Seeded 10k×4 and 100k×4 frames of a Gaussian mixture with
 * 1% planted outliers; every contender fits on the frame and scores the same frame with 100 trees.
 *
 * Each (contender, size) runs in its own child process so that peak RSS and JIT state are its own. Times are wall
 * clock and process CPU (the machine is shared, so CPU time is the steadier one-core figure).
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IsolationForestDetector } from '@vigil/detectors';
import { IsolationForest as PeerIsolationForest } from 'isolation-forest';
import { IsolationForest as MlIsolationForest } from 'ml-isolation-forest';
import { plantedOutliers, rocAuc, toRows } from '../../packages/detectors/test/isolation-forest/fixtures.js';
import { referenceIsolationForest } from '../../packages/detectors/test/isolation-forest/reference-forest.js';
import { type Row, writeResult } from '../lib/report.js';

const here = dirname(fileURLToPath(import.meta.url));
const SIZES = [10_000, 100_000];
const D = 4;
const N_TREES = 100;
const DATA_SEED = 2026;
const AUC_SEEDS = 30;
const REPEATS = 3;
const REPEAT_BUDGET_MS = 20_000;
const CONTENDERS = [
  'vigil',
  'vigil-extended',
  'reference',
  'ml-isolation-forest',
  'isolation-forest',
] as const;
type Contender = (typeof CONTENDERS)[number];

interface CaseResult {
  contender: Contender;
  n: number;
  fitMs: number;
  scoreMs: number;
  fitCpuMs: number;
  scoreCpuMs: number;
  repeats: number;
  peakRssMB: number;
  peakExtraMB: number;
  rocAuc: number;
  modelJsonBytes?: number;
  throughput?: Record<string, number>;
  rocAucSeeds?: { mean: number; sd: number; min: number; max: number };
}

const MB = 1024 * 1024;

function cpuMs(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
}

// Throughput of Detector.score with 100 trees: a fresh 1M×4 frame scored in ten 100k-row batches. The machine is
// shared, so the best batch (least disturbed) is reported next to the median, both by wall clock and by CPU time.
async function scoringThroughput(det: IsolationForestDetector): Promise<Record<string, number>> {
  const big = plantedOutliers({ n: 1_000_000, d: D, seed: DATA_SEED, drawSeed: 1 });
  const batch = 100_000;
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let start = 0; start < big.timestamps.length; start += batch) {
    const part = {
      timestamps: big.timestamps.subarray(start, start + batch),
      columns: big.columns,
      values: big.values.map((c) => c.subarray(start, start + batch)),
    };
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await det.score(part);
    wall.push(batch / ((performance.now() - t0) / 1000));
    cpu.push(batch / (cpuMs(c0) / 1000));
  }
  const median = (x: number[]) => [...x].sort((a, b) => a - b)[x.length >> 1];
  return {
    bestWall: Math.max(...wall),
    medianWall: median(wall),
    bestCpu: Math.max(...cpu),
    medianCpu: median(cpu),
  };
}

// ROC-AUC over thirty forest seeds, so that accuracy is compared beyond the luck of one forest.
async function aucOverSeeds(
  contender: Contender,
  data: ReturnType<typeof plantedOutliers>,
  rows: number[][],
) {
  const aucs: number[] = [];
  for (let seed = 1; seed <= AUC_SEEDS; seed++) {
    if (contender === 'reference') {
      aucs.push(rocAuc(referenceIsolationForest(rows, rows, { nTrees: N_TREES, seed }), data.labels));
    } else {
      const det = new IsolationForestDetector({
        nTrees: N_TREES,
        seed,
        extensionLevel: contender === 'vigil' ? 0 : 'full',
      });
      await det.fit(data);
      aucs.push(rocAuc((await det.score(data)).score, data.labels));
    }
  }
  const mean = aucs.reduce((a, b) => a + b, 0) / aucs.length;
  const sd = Math.sqrt(aucs.reduce((a, b) => a + (b - mean) ** 2, 0) / (aucs.length - 1));
  return { mean, sd, min: Math.min(...aucs), max: Math.max(...aucs) };
}

async function runCase(contender: Contender, n: number): Promise<CaseResult> {
  const data = plantedOutliers({ n, d: D, outlierFraction: 0.01, seed: DATA_SEED });
  // Each library gets its own input format, built before timing starts.
  const rows = contender === 'vigil' || contender === 'vigil-extended' ? [] : toRows(data.values);
  const objects =
    contender === 'isolation-forest'
      ? rows.map((r) => Object.fromEntries(r.map((v, j) => [`x${j}`, v])))
      : [];
  globalThis.gc?.();
  const rss0 = process.memoryUsage().rss;
  let scores: ArrayLike<number> = [];
  let detector: IsolationForestDetector | undefined;
  // A fresh model per repeat; fit and score are timed separately.
  const prepareRun = (): { fit: () => Promise<void> | void; score: () => Promise<void> | void } => {
    if (contender === 'vigil' || contender === 'vigil-extended') {
      const det = new IsolationForestDetector({
        nTrees: N_TREES,
        seed: 1,
        extensionLevel: contender === 'vigil' ? 0 : 'full',
      });
      detector = det;
      return {
        fit: () => det.fit(data),
        score: async () => {
          scores = (await det.score(data)).score;
        },
      };
    }
    if (contender === 'reference') {
      // The reference grows and scores in one call; its time is reported as fit.
      return {
        fit: () => {
          scores = referenceIsolationForest(rows, rows, { nTrees: N_TREES, seed: 1 });
        },
        score: () => {},
      };
    }
    if (contender === 'ml-isolation-forest') {
      const f = new MlIsolationForest({ nEstimators: N_TREES });
      return {
        fit: () => f.train(rows),
        score: () => {
          scores = f.predict(rows);
        },
      };
    }
    const f = new PeerIsolationForest(N_TREES, 256);
    return {
      fit: () => {
        f.fit(objects);
      },
      score: () => {
        scores = f.predict(objects);
      },
    };
  };
  // Best of up to REPEATS runs while the case has used less than REPEAT_BUDGET_MS: the shared machine's noise only
  // ever adds time, so the fastest run is the truest; slow peers get one run (their time is algorithmic, not noise).
  let best = { fitMs: 0, scoreMs: Number.POSITIVE_INFINITY, fitCpuMs: 0, scoreCpuMs: 0 };
  let repeats = 0;
  const started = performance.now();
  while (repeats < REPEATS && (repeats === 0 || performance.now() - started < REPEAT_BUDGET_MS)) {
    const run = prepareRun();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await run.fit();
    const t1 = performance.now();
    const fitCpuMs = cpuMs(c0);
    const c1 = process.cpuUsage();
    await run.score();
    const scoreMs = performance.now() - t1;
    const scoreCpuMs = cpuMs(c1);
    if (t1 - t0 + scoreMs < best.fitMs + best.scoreMs)
      best = { fitMs: t1 - t0, scoreMs, fitCpuMs, scoreCpuMs };
    repeats++;
  }
  const maxRss = process.resourceUsage().maxRSS * 1024;
  const result: CaseResult = {
    contender,
    n,
    ...best,
    repeats,
    peakRssMB: maxRss / MB,
    peakExtraMB: Math.max(0, maxRss - rss0) / MB,
    rocAuc: rocAuc(scores, data.labels),
  };
  if (detector) {
    result.modelJsonBytes = JSON.stringify(detector.toJSON()).length;
    if (n === SIZES[SIZES.length - 1]) result.throughput = await scoringThroughput(detector);
  }
  // After the timed run: accuracy over seeds for Vigil and the paper's reference (the peers take minutes per fit).
  if (contender === 'vigil' || contender === 'vigil-extended' || contender === 'reference') {
    result.rocAucSeeds = await aucOverSeeds(contender, data, rows);
  }
  return result;
}

async function main(): Promise<void> {
  const caseAt = process.argv.indexOf('--case');
  if (caseAt >= 0) {
    const result = await runCase(process.argv[caseAt + 1] as Contender, Number(process.argv[caseAt + 2]));
    console.log(`RESULT ${JSON.stringify(result)}`);
    return;
  }
  const tsx = join(here, '..', '..', 'node_modules', '.bin', 'tsx');
  const results: CaseResult[] = [];
  for (const n of SIZES) {
    for (const contender of CONTENDERS) {
      process.stdout.write(`  ${contender} ${n}×${D} … `);
      const run = spawnSync(
        tsx,
        ['--expose-gc', fileURLToPath(import.meta.url), '--case', contender, String(n)],
        {
          encoding: 'utf8',
          maxBuffer: 64 * MB,
          timeout: 15 * 60_000,
        },
      );
      const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
      if (run.status !== 0 || !line) {
        console.error(`failed (exit ${run.status}):\n${run.stderr}`);
        process.exitCode = 1;
        continue;
      }
      const r = JSON.parse(line.slice('RESULT '.length)) as CaseResult;
      console.log(`${(r.fitMs + r.scoreMs).toFixed(0)} ms`);
      results.push(r);
    }
  }

  const rows: Row[] = results.map((r) => {
    const ml = results.find((x) => x.n === r.n && x.contender === 'ml-isolation-forest');
    const total = r.fitMs + r.scoreMs;
    const totalCpu = r.fitCpuMs + r.scoreCpuMs;
    return {
      size: `${r.n / 1000}k×${D}`,
      library: r.contender,
      fitMs: r.fitMs,
      scoreMs: r.scoreMs,
      totalMs: total,
      totalCpuMs: totalCpu,
      repeats: r.repeats,
      xFasterThanMl: ml ? (ml.fitMs + ml.scoreMs) / total : null,
      xFasterThanMlCpu: ml ? (ml.fitCpuMs + ml.scoreCpuMs) / totalCpu : null,
      peakRssMB: r.peakRssMB,
      peakExtraMB: r.peakExtraMB,
      rocAuc: r.rocAuc,
      rocAucSeedMean: r.rocAucSeeds?.mean ?? null,
      rocAucSeedSd: r.rocAucSeeds?.sd ?? null,
    };
  });
  const largest = SIZES[SIZES.length - 1];
  const at = (c: Contender, n = largest) => results.find((r) => r.contender === c && r.n === n);
  const vigil = at('vigil');
  const ml = at('ml-isolation-forest');
  const reference = at('reference');
  const small = at('vigil', SIZES[0]);
  const targets = vigil
    ? {
        speedupVsMlAt100k: ml ? (ml.fitMs + ml.scoreMs) / (vigil.fitMs + vigil.scoreMs) : null,
        speedupVsMlAt100kCpu: ml ? (ml.fitCpuMs + ml.scoreCpuMs) / (vigil.fitCpuMs + vigil.scoreCpuMs) : null,
        speedupTarget: 100,
        scoreRowsPerSec: vigil.throughput,
        scoreRowsPerSecTarget: 1_000_000,
        modelJsonBytes: { [SIZES[0]]: small?.modelJsonBytes, [largest]: vigil.modelJsonBytes },
        rocAucVigilSeeds: vigil.rocAucSeeds,
        rocAucReferenceSeeds: reference?.rocAucSeeds ?? null,
      }
    : {};
  console.log(JSON.stringify(targets, null, 2));
  writeResult('isolation-forest', rows, {
    setup: {
      dims: D,
      nTrees: N_TREES,
      maxSamples: 256,
      outlierFraction: 0.01,
      dataSeed: DATA_SEED,
      data: 'Gaussian mixture (3 clusters) with 1% uniform outliers > 4 sd from every centre; fit and score the same frame',
      accuracyBaseline:
        'reference = object-per-node Isolation Forest from Liu et al. 2008 (exact harmonic c(n)); scikit-learn is not installable here',
      timing: `best of up to ${REPEATS} runs (fresh model each) while a case has used < ${REPEAT_BUDGET_MS / 1000} s; peak RSS over all runs`,
      peers: {
        'ml-isolation-forest': '0.1.0 (grows every tree on the whole training set, depth ⌈log2 n⌉)',
        'isolation-forest': '0.0.9 (grows every tree on the whole training set, shuffles it per tree)',
      },
      scoreThroughput:
        'IsolationForestDetector.score on a fresh 1M×4 frame, best of 3, forest fitted on 100k×4',
    },
    targets,
    cases: results,
  });
}

await main();
