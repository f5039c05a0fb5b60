import type { AnomalyEvent } from '../alerting/alert-policy.js';
import { checkNumberOption } from '../errors.js';
import { estimateChange } from './change-point.js';
import { leadLag } from './cross-correlation.js';
import { formatDuration } from './format-duration.js';
import { holdOnGrid, medianStep } from './resample.js';
import { serviceOf } from './service-of.js';
import type { RankOptions, RankWeights, RootCause, RootCauseRanking } from './types.js';

const DEFAULT_WEIGHTS: RankWeights = { onset: 2, lag: 1, topology: 2.5, persistence: 1, magnitude: 0.25 };

interface Candidate {
  key: string;
  service: string;
  start: number;
  end: number;
  peakScore: number;
  onset: number;
  z: number;
  baseline: number;
  level: number;
  /** Points the change lasted (NaN without history). */
  sustained: number;
  /** Differenced values on the shared grid, for lead–lag. */
  diff?: Float64Array;
}

/** Why series `i` may have caused series `j`, each term in [−1, 1] (antisymmetric in i and j). */
interface PairEvidence {
  onset: number;
  lag: number;
  lagSteps: number;
  correlation: number;
  topology: number;
  hops: number;
  persistence: number;
  logit: number;
}

/**
 * Ranks the series of an incident by how likely each is its root cause. Every ordered pair (i, j) gets a logit
 * that i caused j from four antisymmetric terms: onset order (tanh of the onset difference over two sampling
 * steps; onsets are change points, see {@link estimateChange}), lead–lag (the signed lag of the strongest
 * cross-correlation of the differenced series, counted above the 2/√n noise level), the call graph (+1 when j's
 * service calls i's directly or through others: a caller's latency and errors follow its callee's), and
 * persistence (−1 when i's disturbance lasted under half as long as j's: a blip cannot explain an outage). A series'
 * score is the mean over the others of σ(logit) — a Borda count of pairwise cause probabilities — plus a small
 * term for its relative magnitude (log(1 + |z|)); scores are then normalised to shares that sum to 1.
 *
 * Pure: the history and topology are read, never changed. Without history the onsets are the event starts and
 * magnitudes are left out; without topology that term is 0.
 *
 * @throws {VigilInputError} `INVALID_OPTION` for out-of-range options.
 * @example
 * const ranking = rankRootCauses(incident, { history: (key) => store.get(key), topology });
 * ranking.summary; // "db/latency rose 4 min before checkout/latency and checkout calls db"
 */
export function rankRootCauses(
  incident: { readonly events: readonly AnomalyEvent[] },
  options: RankOptions = {},
): RootCauseRanking {
  const maxCandidates = checkNumberOption('options.maxCandidates', options.maxCandidates ?? 30, {
    min: 1,
    integer: true,
  });
  const maxLag = checkNumberOption('options.maxLag', options.maxLag ?? 10, { min: 0, integer: true });
  const w: RankWeights = { ...DEFAULT_WEIGHTS, ...options.weights };
  for (const [k, v] of Object.entries(w)) checkNumberOption(`options.weights.${k}`, v, { min: 0 });

  const candidates = collect(incident.events, maxCandidates);
  if (candidates.length === 0)
    return { causes: [], summary: 'no series in the incident', usedTopology: false };
  const step = measure(candidates, options);
  if (options.history && Number.isFinite(step)) align(candidates, options, step, maxLag);
  const topology = options.topology && options.topology.size > 0 ? options.topology : undefined;

  const n = candidates.length;
  const pairs: PairEvidence[][] = candidates.map(() => new Array<PairEvidence>(n));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const e = evidence(candidates[i], candidates[j], step, maxLag, w, topology);
      pairs[i][j] = e;
      pairs[j][i] = {
        onset: -e.onset,
        lag: -e.lag,
        lagSteps: -e.lagSteps,
        correlation: e.correlation,
        topology: -e.topology,
        hops: e.hops,
        persistence: -e.persistence,
        logit: -e.logit,
      };
    }
  }

  const haveMagnitudes = candidates.every((c) => Number.isFinite(c.z));
  let maxM = 0;
  if (haveMagnitudes) for (const c of candidates) maxM = Math.max(maxM, Math.log1p(Math.abs(c.z)));
  const raw = candidates.map((c, i) => {
    let borda = 0;
    for (let j = 0; j < n; j++) if (j !== i) borda += 1 / (1 + Math.exp(-pairs[i][j].logit));
    const pairwise = n > 1 ? borda / (n - 1) : 1;
    const magnitude = haveMagnitudes && maxM > 0 ? Math.log1p(Math.abs(c.z)) / maxM : 0;
    return pairwise + w.magnitude * magnitude;
  });
  const total = raw.reduce((a, b) => a + b, 0);
  const order = candidates
    .map((_, i) => i)
    .sort((a, b) => raw[b] - raw[a] || candidates[a].onset - candidates[b].onset);

  const causes: RootCause[] = order.map((i, r) => {
    const c = candidates[i];
    return {
      rank: r + 1,
      seriesKey: c.key,
      service: c.service,
      score: total > 0 ? raw[i] / total : 1 / n,
      onset: c.onset,
      direction: c.level < c.baseline ? 'fell' : 'rose',
      magnitude: Math.abs(c.z),
      baseline: c.baseline,
      level: c.level,
      explanation: explain(i, candidates, pairs, step),
    };
  });
  return { causes, summary: causes[0].explanation, usedTopology: topology !== undefined };
}

/** One candidate per series (a series can have several events in an incident), the highest peaks first. */
function collect(events: readonly AnomalyEvent[], max: number): Candidate[] {
  const bySeries = new Map<string, Candidate>();
  for (const e of events) {
    const c = bySeries.get(e.seriesKey);
    if (!c) {
      bySeries.set(e.seriesKey, {
        key: e.seriesKey,
        service: serviceOf(e.seriesKey),
        start: e.start,
        end: e.end,
        peakScore: e.peakScore,
        onset: e.start,
        z: Number.NaN,
        baseline: Number.NaN,
        level: Number.NaN,
        sustained: Number.NaN,
      });
    } else {
      c.start = Math.min(c.start, e.start);
      c.end = Math.max(c.end, e.end);
      c.peakScore = Math.max(c.peakScore, e.peakScore);
      c.onset = c.start;
    }
  }
  return [...bySeries.values()].sort((a, b) => b.peakScore - a.peakScore || a.start - b.start).slice(0, max);
}

/** Fills onsets and magnitudes from history; returns the sampling step (NaN when unknown). */
function measure(candidates: Candidate[], options: RankOptions): number {
  const steps: number[] = [];
  for (const c of candidates) {
    const h = options.history?.(c.key);
    if (!h || h.timestamps.length < 4) continue;
    const change = estimateChange(h.timestamps, h.values, c.start, c.end);
    if (change) {
      c.onset = Math.min(change.onset, c.start);
      c.z = change.z;
      c.baseline = change.baseline;
      c.level = change.level;
      c.sustained = change.sustained;
    }
    const s = medianStep(h.timestamps);
    if (s > 0) steps.push(s);
  }
  if (steps.length === 0) {
    // Without history the events' own timing is all there is; judge onset gaps against a minute.
    return 60_000;
  }
  steps.sort((a, b) => a - b);
  return steps[steps.length >> 1];
}

/** Puts every candidate's differenced history on one grid around the incident, for lead–lag. */
function align(candidates: Candidate[], options: RankOptions, step: number, maxLag: number): void {
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (const c of candidates) {
    from = Math.min(from, c.onset);
    to = Math.max(to, c.end);
  }
  const pad = (maxLag + 10) * step;
  // Long incidents: lead–lag is about how the trouble started, so keep the grid near the onsets.
  const start = from - pad;
  const n = Math.min(Math.floor((to - from + 2 * pad) / step) + 1, 3 * (maxLag + 10) + 120);
  for (const c of candidates) {
    const h = options.history?.(c.key);
    if (!h) continue;
    const grid = holdOnGrid(h.timestamps, h.values, start, step, n);
    const diff = new Float64Array(n).fill(Number.NaN);
    for (let k = 1; k < n; k++) diff[k] = grid[k] - grid[k - 1];
    c.diff = diff;
  }
}

function evidence(
  a: Candidate,
  b: Candidate,
  step: number,
  maxLag: number,
  w: RankWeights,
  topology: RankOptions['topology'],
): PairEvidence {
  const onset = Math.tanh((b.onset - a.onset) / (2 * step));
  let lag = 0;
  let lagSteps = 0;
  let correlation = Number.NaN;
  if (a.diff && b.diff && maxLag > 0) {
    const ll = leadLag(a.diff, b.diff, maxLag);
    lagSteps = ll.lag;
    correlation = ll.correlation;
    const noise = ll.n > 0 ? 2 / Math.sqrt(ll.n) : 1;
    const strength = Math.max(0, (Math.abs(ll.correlation) - noise) / (1 - noise));
    lag = Math.sign(ll.lag) * strength;
  }
  let topo = 0;
  let hops = Number.POSITIVE_INFINITY;
  if (topology && a.service !== b.service) {
    const down = topology.hops(b.service, a.service);
    const up = topology.hops(a.service, b.service);
    if (down < Number.POSITIVE_INFINITY) {
      topo = 1;
      hops = down;
    } else if (up < Number.POSITIVE_INFINITY) {
      topo = -1;
      hops = up;
    }
  }
  // Only a clear mismatch counts: one series disturbed for less than half as long as the other.
  let persistence = 0;
  if (a.sustained > 0 && b.sustained > 0) {
    const ratio = Math.log2(a.sustained / b.sustained);
    if (Math.abs(ratio) > 1) persistence = Math.sign(ratio) * Math.min(1, Math.abs(ratio) - 1);
  }
  return {
    onset,
    lag,
    lagSteps,
    correlation,
    topology: topo,
    hops,
    persistence,
    logit: w.onset * onset + w.lag * lag + w.topology * topo + w.persistence * persistence,
  };
}

/** One sentence for candidate i, built from its strongest case against another series. */
function explain(i: number, candidates: Candidate[], pairs: PairEvidence[][], step: number): string {
  const c = candidates[i];
  const verb = c.level < c.baseline ? 'fell' : 'rose';
  const size = describeSize(c);
  if (candidates.length === 1) {
    return `${c.key} ${verb}${size ? ` ${size}` : ''}; it is the only series in the incident`;
  }
  // The strongest case against another series, preferring a direct caller: "checkout calls db" reads better
  // than a path three calls long.
  let j = -1;
  const strength = (k: number) =>
    pairs[i][k].logit +
    (pairs[i][k].logit > 0 && pairs[i][k].topology > 0 && pairs[i][k].hops === 1 ? 100 : 0);
  for (let k = 0; k < candidates.length; k++) {
    if (k !== i && (j < 0 || strength(k) > strength(j))) j = k;
  }
  const o = candidates[j];
  const e = pairs[i][j];
  const gap = o.onset - c.onset;
  let sentence: string;
  if (gap >= step / 2) sentence = `${c.key} ${verb} ${formatDuration(gap)} before ${o.key}`;
  else if (gap > -step / 2) sentence = `${c.key} ${verb} together with ${o.key}`;
  else sentence = `${c.key} ${verb} ${formatDuration(-gap)} after ${o.key}`;
  if (e.topology > 0) {
    sentence +=
      e.hops === 1
        ? ` and ${o.service} calls ${c.service}`
        : ` and ${o.service} depends on ${c.service} (${e.hops} calls away)`;
  } else if (e.topology < 0) {
    sentence += `, but ${c.service} calls ${o.service}`;
  }
  if (e.lag > 0 && Math.abs(gap) < step / 2) {
    sentence += `; its changes lead by ${formatDuration(e.lagSteps * step)} (r = ${e.correlation.toFixed(2)})`;
  }
  let others = 0;
  for (let k = 0; k < candidates.length; k++) if (k !== i && pairs[i][k].logit > 0) others++;
  const follow = candidates.length > 2 ? `${others} of ${candidates.length - 1} other series follow it` : '';
  const tail = [size ? `it moved ${size}` : '', follow].filter(Boolean).join(' and ');
  return tail ? `${sentence}; ${tail}` : sentence;
}

function describeSize(c: Candidate): string {
  if (!Number.isFinite(c.z)) return '';
  const ratio = c.baseline > 0 && c.level > 0 ? c.level / c.baseline : Number.NaN;
  if (Number.isFinite(ratio) && (ratio >= 1.5 || ratio <= 1 / 1.5)) {
    return `to ${ratio.toFixed(1)}× its baseline`;
  }
  return `${Math.abs(c.z).toFixed(1)}σ from its baseline`;
}
