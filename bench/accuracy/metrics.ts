/**
 * Scoring of detections against labelled windows: event-wise precision/recall/F1 (alarms are runs of flagged
 * points), best F1 over thresholds, pooled point ROC-AUC, detection delay, a NAB-style window score with three cost
 * profiles (after Lavin & Ahmad 2015, "Evaluating real-time anomaly detection algorithms — the Numenta Anomaly
 * Benchmark"), and how long a detector stays saturated after a persistent change.
 */
import type { FailureMode, Label } from './corpus.js';

/** One scored series: scores and flags for the test part, indices relative to the test start. */
export interface ScoredSeries {
  readonly score: Float64Array;
  readonly flags: Uint8Array;
  /** Labels with indices relative to the test start. */
  readonly labels: readonly Label[];
  /** Missing input points (excluded from ROC). */
  readonly missing: Uint8Array;
}

const NUISANCE: FailureMode[] = ['missing-gap'];
const PERSISTENT: FailureMode[] = ['level-shift', 'trend-change', 'slow-leak'];
/** Flagged points at most this many points apart form one alarm. */
const ALARM_GAP = 3;

export interface Counts {
  tpAlarms: number;
  fpAlarms: number;
  detected: number;
  labels: number;
}

function alarms(flags: Uint8Array): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start = -1;
  let last = -1;
  for (let i = 0; i < flags.length; i++) {
    if (!flags[i]) continue;
    if (start >= 0 && i - last <= ALARM_GAP) last = i;
    else {
      if (start >= 0) out.push([start, last]);
      start = i;
      last = i;
    }
  }
  if (start >= 0) out.push([start, last]);
  return out;
}

const isTarget = (l: Label) => !NUISANCE.includes(l.mode);

/** Event-wise counts for one series and one flag array. */
export function countEvents(s: ScoredSeries, flags: Uint8Array, mode?: FailureMode): Counts {
  const targets = s.labels.filter(isTarget);
  const counted = mode ? targets.filter((l) => l.mode === mode) : targets;
  let tpAlarms = 0;
  let fpAlarms = 0;
  for (const [a, b] of alarms(flags)) {
    const hit = targets.some((l) => a < l.windowEnd && b >= l.windowStart);
    if (hit) tpAlarms++;
    else fpAlarms++;
  }
  let detected = 0;
  for (const l of counted) {
    for (let i = l.windowStart; i < l.windowEnd; i++) {
      if (flags[i]) {
        detected++;
        break;
      }
    }
  }
  return { tpAlarms, fpAlarms, detected, labels: counted.length };
}

export function f1(c: Counts): { precision: number; recall: number; f1: number } {
  const alarmsTotal = c.tpAlarms + c.fpAlarms;
  const precision = alarmsTotal === 0 ? (c.labels === 0 ? 1 : 0) : c.tpAlarms / alarmsTotal;
  const recall = c.labels === 0 ? 1 : c.detected / c.labels;
  return {
    precision,
    recall,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
  };
}

function add(a: Counts, b: Counts): Counts {
  return {
    tpAlarms: a.tpAlarms + b.tpAlarms,
    fpAlarms: a.fpAlarms + b.fpAlarms,
    detected: a.detected + b.detected,
    labels: a.labels + b.labels,
  };
}

const zero = (): Counts => ({ tpAlarms: 0, fpAlarms: 0, detected: 0, labels: 0 });

/** Pooled counts over the corpus at the detectors' own flags (or at a score threshold). */
export function corpusCounts(all: readonly ScoredSeries[], threshold?: number, mode?: FailureMode): Counts {
  let total = zero();
  for (const s of all) {
    const flags =
      threshold === undefined ? s.flags : Uint8Array.from(s.score, (x) => (x >= threshold ? 1 : 0));
    total = add(total, countEvents(s, flags, mode));
  }
  return total;
}

/** Candidate thresholds: quantiles of the pooled scores, dense in the upper tail. */
export function candidateThresholds(all: readonly ScoredSeries[], count = 60): number[] {
  const pooled: number[] = [];
  for (const s of all) for (let i = 0; i < s.score.length; i++) if (!s.missing[i]) pooled.push(s.score[i]);
  pooled.sort((a, b) => a - b);
  const out = new Set<number>();
  for (let k = 0; k < count; k++) {
    const q = 1 - 10 ** (-1 - (4 * k) / (count - 1)); // 0.9 … 0.99999
    out.add(pooled[Math.min(pooled.length - 1, Math.floor(q * pooled.length))]);
  }
  return [...out].sort((a, b) => a - b);
}

/** Best event-wise F1 over the candidate thresholds. */
export function bestF1(all: readonly ScoredSeries[], mode?: FailureMode): { f1: number; threshold: number } {
  let best = { f1: 0, threshold: Number.NaN };
  for (const t of candidateThresholds(all)) {
    const r = f1(corpusCounts(all, t, mode));
    if (r.f1 > best.f1) best = { f1: r.f1, threshold: t };
  }
  return best;
}

/**
 * Pooled point ROC-AUC (Mann–Whitney with tied ranks averaged). Positives: affected points inside a target label's
 * window; negatives: points outside every label; the shifted tail of a persistent change past its window is
 * neither.
 */
export function rocAuc(all: readonly ScoredSeries[], mode?: FailureMode): number {
  const pos: number[] = [];
  const neg: number[] = [];
  for (const s of all) {
    const cls = new Int8Array(s.score.length); // 0 negative, 1 positive, −1 excluded
    for (const l of s.labels) {
      const positive = isTarget(l) && (!mode || l.mode === mode);
      for (let i = l.windowStart; i < Math.max(l.end, l.windowEnd) && i < cls.length; i++) {
        const inAffected = i >= l.onset && i < Math.min(l.end, l.windowEnd);
        cls[i] = positive && inAffected ? 1 : -1;
      }
    }
    for (let i = 0; i < s.score.length; i++) {
      if (s.missing[i]) continue;
      if (cls[i] === 1) pos.push(s.score[i]);
      else if (cls[i] === 0) neg.push(s.score[i]);
    }
  }
  if (pos.length === 0 || neg.length === 0) return Number.NaN;
  const all2 = [...pos.map((v) => [v, 1] as const), ...neg.map((v) => [v, 0] as const)].sort(
    (a, b) => a[0] - b[0],
  );
  let rankSumPos = 0;
  for (let i = 0; i < all2.length; ) {
    let j = i;
    while (j < all2.length && all2[j][0] === all2[i][0]) j++;
    const rank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (all2[k][1] === 1) rankSumPos += rank;
    i = j;
  }
  return (rankSumPos - (pos.length * (pos.length + 1)) / 2) / (pos.length * neg.length);
}

/** Median and mean delay (points) from onset to the first flag in the window, over detected labels. */
export function delays(all: readonly ScoredSeries[], mode?: FailureMode): { median: number; mean: number } {
  const d: number[] = [];
  for (const s of all) {
    for (const l of s.labels) {
      if (!isTarget(l) || (mode && l.mode !== mode)) continue;
      for (let i = l.windowStart; i < l.windowEnd; i++) {
        if (s.flags[i]) {
          d.push(i - l.onset);
          break;
        }
      }
    }
  }
  if (d.length === 0) return { median: Number.NaN, mean: Number.NaN };
  d.sort((a, b) => a - b);
  return { median: d[Math.floor(d.length / 2)], mean: d.reduce((a, b) => a + b, 0) / d.length };
}

/** NAB's cost profiles: reward for a true positive, cost of a false positive and of a missed window. */
export const PROFILES = {
  standard: { tp: 1, fp: 0.11, fn: 1 },
  rewardLowFp: { tp: 1, fp: 0.22, fn: 1 },
  rewardLowFn: { tp: 1, fp: 0.11, fn: 2 },
} as const;

// NAB's scaled sigmoid: ≈ +1 at the start of a window, 0 at its end, → −1 long after it.
const sigmoid = (y: number) => 2 / (1 + Math.exp(5 * y)) - 1;

/**
 * NAB-style window score normalised to 0 (no detections) … 100 (every window detected at its start). Every flagged
 * point counts: the first inside a window earns `tp · σ(y)` (earlier is better); a flag outside every window costs
 * `fp · (−σ(y))` with y its distance after the previous window in window lengths (1 × fp with no previous window),
 * so a detector that stays saturated long after a change pays for each point; a missed window costs `fn`.
 */
export function windowScore(
  all: readonly ScoredSeries[],
  profile: { tp: number; fp: number; fn: number },
): number {
  let raw = 0;
  let nullScore = 0;
  let perfect = 0;
  for (const s of all) {
    const windows = s.labels.filter(isTarget).sort((a, b) => a.windowStart - b.windowStart);
    nullScore -= profile.fn * windows.length;
    perfect += profile.tp * sigmoid(-1) * windows.length;
    const found = new Array(windows.length).fill(false);
    for (let i = 0; i < s.flags.length; i++) {
      if (!s.flags[i]) continue;
      const w = windows.findIndex((l) => i >= l.windowStart && i < l.windowEnd);
      if (w >= 0) {
        if (!found[w]) {
          found[w] = true;
          const l = windows[w];
          raw += profile.tp * sigmoid((i - l.windowEnd) / (l.windowEnd - l.windowStart));
        }
        continue;
      }
      let prev: Label | undefined;
      for (const l of windows) if (l.windowEnd <= i) prev = l;
      const weight = prev ? -sigmoid((i - prev.windowEnd) / (prev.windowEnd - prev.windowStart)) : 1;
      raw -= profile.fp * weight;
    }
    for (const f of found) if (!f) raw -= profile.fn;
  }
  return perfect === nullScore ? Number.NaN : (100 * (raw - nullScore)) / (perfect - nullScore);
}

/** Mean number of flagged points past the window of persistent changes (level shift, trend change, leak). */
export function saturation(all: readonly ScoredSeries[]): number {
  let flagged = 0;
  let n = 0;
  for (const s of all) {
    for (const l of s.labels) {
      if (!PERSISTENT.includes(l.mode)) continue;
      n++;
      for (let i = l.windowEnd; i < s.flags.length; i++) flagged += s.flags[i];
    }
  }
  return n === 0 ? Number.NaN : flagged / n;
}

/** False-positive alarms of a score at the threshold that first reaches `recall` (for equal-recall comparisons). */
export function fpAtRecall(
  all: readonly ScoredSeries[],
  recall: number,
): { fpAlarms: number; threshold: number; recall: number } {
  const ts = candidateThresholds(all, 200).reverse();
  for (const t of ts) {
    const c = corpusCounts(all, t);
    const r = c.labels === 0 ? 1 : c.detected / c.labels;
    if (r >= recall) return { fpAlarms: c.fpAlarms, threshold: t, recall: r };
  }
  const c = corpusCounts(all, ts[ts.length - 1]);
  return { fpAlarms: c.fpAlarms, threshold: ts[ts.length - 1], recall: c.detected / c.labels };
}
