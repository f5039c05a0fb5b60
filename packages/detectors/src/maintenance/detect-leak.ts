import { checkNumberOption, type SeriesLike, VigilInputError } from '@vigil/core';
import { normalCdf } from '../stats/normal-distribution.js';
import { type Cycle, cycleExtrema } from './cycle-extrema.js';
import { findLevelDrops } from './find-level-drops.js';
import { formatEta, formatQuantity } from './format.js';
import { mannKendall } from './mann-kendall.js';
import { prepareSeries } from './prepare-series.js';
import { theilSen } from './theil-sen.js';

const HOUR = 3_600_000;

/** Options of {@link detectLeak}. */
export interface LeakOptions {
  /** Memory limit (an OOM kill), in the series' units; when given, the time to reach it is projected. */
  readonly limit?: number;
  /** Significance level of the trend tests; default 0.01. */
  readonly alpha?: number;
  /** Confidence level of the rate and time intervals; default 0.95. */
  readonly level?: number;
  /** What the series measures, for the summary; default "memory". */
  readonly name?: string;
  /** Unit of the values; 'B' formats bytes with SI prefixes. Default none. */
  readonly unit?: string;
  /**
   * Known restart times, epoch ms (e.g. from `process_start_time_seconds`), added to the restarts found as lasting
   * falls of the floor (`findLevelDrops`).
   */
  readonly restarts?: readonly number[];
  /** Smallest fall that ends a GC cycle, in value units; default {@link dropThreshold}. */
  readonly dropThreshold?: number;
}

/**
 * `'leak'`: the floor keeps rising, also over the latest half; `'plateau'`: it rose but has stopped (a cache warming
 * up); `'stable'`: no significant trend; `'decreasing'`: it falls.
 */
export type LeakVerdict = 'leak' | 'plateau' | 'stable' | 'decreasing';

/** Result of {@link detectLeak}. Rates in value units per hour, times in ms. */
export interface LeakReport {
  readonly leaking: boolean;
  readonly verdict: LeakVerdict;
  /** Theil–Sen slope of the per-cycle minima (within runs between restarts) and its interval. */
  readonly ratePerHour: number;
  readonly rateInterval: readonly [number, number];
  /** 1 − the larger p-value of the two one-sided trend tests (whole window, latest half); 0 when not increasing. */
  readonly confidence: number;
  /** Stratified Mann–Kendall over all runs, Hamed–Rao corrected. */
  readonly trend: { readonly z: number; readonly pValue: number; readonly varianceInflation: number };
  /** The same test over the latest half of every run (one-sided p-value for an increase) and its rate. */
  readonly recent: { readonly z: number; readonly pValue: number; readonly ratePerHour: number };
  /** GC cycles (or windows) analysed, how they were found, and restarts (falls of the floor) seen. */
  readonly cycles: number;
  readonly cycleMethod: 'drops' | 'windows';
  readonly restarts: number;
  /** Current floor (trend of minima at the last timestamp) and median sawtooth amplitude. */
  readonly floor: number;
  readonly amplitude: number;
  /** Time until floor + amplitude reaches `limit` at the leak rate, with its interval; null when not leaking or no limit. */
  readonly timeToLimit: number | null;
  readonly timeToLimitInterval: readonly [number | null, number | null];
  readonly summary: string;
}

interface Stratified {
  s: number;
  varS: number;
  varCorrected: number;
}

function stratifiedKendall(runs: readonly Float64Array[]): Stratified {
  const total: Stratified = { s: 0, varS: 0, varCorrected: 0 };
  for (const run of runs) {
    if (run.length < 3) continue;
    const mk = mannKendall(run);
    total.s += mk.s;
    total.varS += mk.varS;
    total.varCorrected += mk.varS * mk.varianceInflation;
  }
  return total;
}

function upperTail(s: number, variance: number): { z: number; pValue: number } {
  if (variance === 0) return { z: 0, pValue: 1 };
  const z = s > 0 ? (s - 1) / Math.sqrt(variance) : s < 0 ? (s + 1) / Math.sqrt(variance) : 0;
  return { z, pValue: 1 - normalCdf(z) };
}

/**
 * Tells a memory leak from GC sawtooth, a cache warming up to a plateau, and restarts. The series is cut into GC
 * cycles at its sudden drops (`cycleExtrema`); the floor of each cycle (the live set after a GC) is tested
 * for a monotonic rise with a Mann–Kendall test corrected for autocorrelation (Hamed & Rao 1998), stratified over
 * the runs between restarts (a fall of the floor), and its rate is the Theil–Sen slope over within-run pairs. A
 * leak must also keep rising, at no less than half its rate, over the latest half of each run, which rejects warm-ups
 * that have levelled off.
 *
 * @throws {VigilInputError} as `toSeries`; `TOO_SHORT` with fewer than 20 values, fewer than 6 cycles, or a flat
 *   series; `INVALID_OPTION` for limit, alpha or level out of range.
 * @example
 * const r = detectLeak(heapUsedBytes, { limit: 512e6, name: 'api heap', unit: 'B' });
 * r.summary; // "api heap leaks 2.01 MB/h (1.97 MB–2.04 MB), reaches 512 MB in 7.8 days (7.7–8.0); confidence 100.0%"
 */
export function detectLeak(input: SeriesLike, options: LeakOptions = {}): LeakReport {
  const alpha = checkNumberOption('options.alpha', options.alpha ?? 0.01, {
    min: 0,
    max: 1,
    exclusiveMin: true,
    exclusiveMax: true,
  });
  const level = checkNumberOption('options.level', options.level ?? 0.95, {
    min: 0,
    max: 1,
    exclusiveMin: true,
    exclusiveMax: true,
  });
  const limit =
    options.limit === undefined
      ? undefined
      : checkNumberOption('options.limit', options.limit, { min: 0, exclusiveMin: true });
  const name = options.name ?? 'memory';
  const series = prepareSeries(input, 20, 'detectLeak');
  const { timestamps, values } = series;
  const tEnd = timestamps[timestamps.length - 1];
  const { cycles, method } = cycleExtrema(timestamps, values, { dropThreshold: options.dropThreshold });
  if (cycles.length < 6) {
    throw new VigilInputError(
      'TOO_SHORT',
      `detectLeak needs at least 6 GC cycles (or windows) to follow the floor; found ${cycles.length}. Pass a longer window.`,
      'values',
    );
  }
  const minima = Float64Array.from(cycles, (c) => c.min);
  // A restart seen where there was none only splits a run (a little power lost, no false alarm), while a missed
  // one hides a restarting leak, so the restart test is looser than findLevelDrops' default of 5σ.
  const restartAt = new Set(findLevelDrops(minima, 4));
  for (const t of options.restarts ?? []) {
    const i = cycles.findIndex((c) => c.tMin >= t);
    if (i > 0) restartAt.add(i);
  }
  const runStarts = [...restartAt].sort((a, b) => a - b);
  const runs: Cycle[][] = [];
  let from = 0;
  for (const start of runStarts) {
    runs.push(cycles.slice(from, start));
    from = start;
  }
  runs.push(cycles.slice(from));
  const runMinima = runs.map((run) => Float64Array.from(run, (c) => c.min));
  const whole = stratifiedKendall(runMinima);
  const trendTest = upperTail(whole.s, whole.varCorrected);
  const twoSided = Math.min(1, 2 * Math.min(trendTest.pValue, 1 - trendTest.pValue));
  const inflation = whole.varS > 0 ? Math.max(1, whole.varCorrected / whole.varS) : 1;

  const x = Float64Array.from(cycles, (c) => (c.tMin - tEnd) / HOUR);
  const groups = new Float64Array(cycles.length);
  let offset = 0;
  runs.forEach((run, r) => {
    groups.fill(r, offset, offset + run.length);
    offset += run.length;
  });
  const fit = theilSen(x, minima, { alpha: 1 - level, varianceInflation: inflation, groups });

  // The latest half of every run: a warm-up levels off again after each restart, a leak keeps rising in each.
  const recentIdx: number[] = [];
  const recentRuns: Float64Array[] = [];
  let runStart = 0;
  for (const run of runs) {
    const halfTime = (run[0].tMin + run[run.length - 1].tMin) / 2;
    const idx: number[] = [];
    for (let i = runStart; i < runStart + run.length; i++) if (cycles[i].tMin >= halfTime) idx.push(i);
    recentIdx.push(...idx);
    recentRuns.push(Float64Array.from(idx, (i) => minima[i]));
    runStart += run.length;
  }
  const recentStrata = stratifiedKendall(recentRuns);
  const recentTest = upperTail(recentStrata.s, recentStrata.varCorrected);
  const recentInflation =
    recentStrata.varS > 0 ? Math.max(1, recentStrata.varCorrected / recentStrata.varS) : 1;
  const recentFit =
    recentStrata.varS > 0
      ? theilSen(
          recentIdx.map((i) => x[i]),
          recentIdx.map((i) => minima[i]),
          { alpha: 1 - level, varianceInflation: recentInflation, groups: recentIdx.map((i) => groups[i]) },
        )
      : undefined;
  const recentRate = recentFit?.slope ?? Number.NaN;

  let verdict: LeakVerdict = 'stable';
  // A warm-up still creeping towards its plateau can test significant over the latest half too, so a leak must
  // also keep at least half of its overall rate there (a leak is linear; a warm-up slows down).
  const keepsRate = recentFit !== undefined && recentFit.upper >= 0.5 * fit.slope;
  if (twoSided < alpha && trendTest.z > 0)
    verdict = recentTest.pValue < 0.05 && keepsRate ? 'leak' : 'plateau';
  else if (twoSided < alpha && trendTest.z < 0) verdict = 'decreasing';
  const leaking = verdict === 'leak';
  const confidence = trendTest.z > 0 ? 1 - Math.max(trendTest.pValue, recentTest.pValue) : 0;

  const lastRun = runs[runs.length - 1];
  const lastIdx = Array.from({ length: lastRun.length }, (_, i) => cycles.length - lastRun.length + i);
  const floorOffsets = Float64Array.from(lastIdx, (i) => minima[i] - fit.slope * x[i]).sort();
  const floor = floorOffsets[floorOffsets.length >> 1];
  const amplitudes = Float64Array.from(
    cycles.filter((c) => c.complete),
    (c) => c.max - c.min,
  ).sort();
  const amplitude = amplitudes.length > 0 ? amplitudes[amplitudes.length >> 1] : 0;

  let timeToLimit: number | null = null;
  let timeToLimitInterval: [number | null, number | null] = [null, null];
  if (leaking && limit !== undefined) {
    const room = limit - (floor + amplitude);
    const hoursAt = (rate: number) => (room <= 0 ? 0 : rate > 0 ? (room / rate) * HOUR : null);
    timeToLimit = hoursAt(fit.slope);
    timeToLimitInterval = [hoursAt(fit.upper), hoursAt(fit.lower)];
  }

  const rate = (r: number) => `${formatQuantity(r, options.unit)}/h`;
  const rateText = `${rate(fit.slope)} (${formatQuantity(fit.lower, options.unit)}–${formatQuantity(fit.upper, options.unit)})`;
  let summary: string;
  if (leaking) {
    const toLimit =
      limit === undefined || timeToLimit === null
        ? ''
        : `, reaches ${formatQuantity(limit, options.unit)} in ${formatEta(timeToLimit, timeToLimitInterval)}`;
    summary = `${name} leaks ${rateText}${toLimit}; confidence ${(100 * confidence).toFixed(1)}%`;
  } else if (verdict === 'plateau') {
    summary = `${name} rose ${rate(fit.slope)} but has levelled off at ${formatQuantity(floor, options.unit)} (latest half ${rate(recentRate)}, p=${recentTest.pValue.toFixed(2)}): warm-up, no leak`;
  } else if (verdict === 'decreasing') {
    summary = `${name} is decreasing ${rateText}: no leak`;
  } else {
    summary = `${name} is stable at ${formatQuantity(floor, options.unit)} (trend ${rate(fit.slope)}, p=${twoSided.toFixed(2)}): no leak`;
  }
  return {
    leaking,
    verdict,
    ratePerHour: fit.slope,
    rateInterval: [fit.lower, fit.upper],
    confidence,
    trend: { z: trendTest.z, pValue: twoSided, varianceInflation: inflation },
    recent: { z: recentTest.z, pValue: recentTest.pValue, ratePerHour: recentRate },
    cycles: cycles.length,
    cycleMethod: method,
    restarts: runStarts.length,
    floor,
    amplitude,
    timeToLimit,
    timeToLimitInterval,
    summary,
  };
}
