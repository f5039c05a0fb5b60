/**
 * A seeded, labelled corpus of realistic infrastructure metrics with injected failure modes — Vigil's own, built
 * from simulated failures (public anomaly corpora are reserved for independent evaluation).
 *
 * Every series is 7 days of 5-minute data (2016 points). The first 3 days are clean training data; failures are
 * injected into the last 4 days. Each label is a window of points in which a detection counts as finding the
 * failure (the window starts a little before the onset so that an alarm on the onset point itself counts).
 */
import { createRng, type Rng } from '@vigil/core';

export const STEP_MS = 5 * 60_000;
export const POINTS = 2016;
export const TRAIN = 864;
const PER_DAY = 288;

/** Kinds of metric the corpus simulates. */
export type MetricKind = 'cpu' | 'latency' | 'memory' | 'disk' | 'errors' | 'queue';

/** Failure modes injected into the test part. `missing-gap` is a nuisance: no detection is expected there. */
export type FailureMode =
  | 'spike'
  | 'dip'
  | 'level-shift'
  | 'variance-change'
  | 'trend-change'
  | 'seasonality-break'
  | 'slow-leak'
  | 'stuck-sensor'
  | 'missing-gap';

export interface Label {
  readonly mode: FailureMode;
  /** Index of the first affected point. */
  readonly onset: number;
  /** Index one past the last affected point. */
  readonly end: number;
  /** Detection window [windowStart, windowEnd) in point indices. */
  readonly windowStart: number;
  readonly windowEnd: number;
}

export interface CorpusSeries {
  readonly id: string;
  readonly metric: MetricKind;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  /** Typical noise scale of this series, in its units. */
  readonly noise: number;
  readonly labels: Label[];
}

const START = Date.UTC(2026, 9, 5); // a Monday

interface Base {
  values: Float64Array;
  seasonal: Float64Array;
  noise: number;
  floor: number;
}

// Daily cycle peaking mid-afternoon, quieter at weekends.
function dailyWeekly(i: number, amplitude: number): number {
  const day = Math.floor(i / PER_DAY) % 7;
  const weekend = day >= 5 ? 0.6 : 1;
  return amplitude * weekend * Math.sin((2 * Math.PI * ((i % PER_DAY) / PER_DAY - 0.375)) / 1);
}

function baseSeries(metric: MetricKind, rng: Rng): Base {
  const values = new Float64Array(POINTS);
  const seasonal = new Float64Array(POINTS);
  let noise = 1;
  let floor = Number.NEGATIVE_INFINITY;
  switch (metric) {
    case 'cpu': {
      const level = 25 + 25 * rng.next();
      const amp = 8 + 10 * rng.next();
      noise = 1 + 2 * rng.next();
      floor = 0;
      for (let i = 0; i < POINTS; i++) {
        seasonal[i] = level + dailyWeekly(i, amp);
        values[i] = seasonal[i] + noise * rng.normal();
      }
      break;
    }
    case 'latency': {
      // Log-normal around a daily-varying median: heavy right tail, as request latency has.
      const median = 80 + 120 * rng.next();
      const sigma = 0.08 + 0.06 * rng.next();
      noise = median * sigma;
      floor = 0;
      for (let i = 0; i < POINTS; i++) {
        seasonal[i] = median * (1 + 0.25 * dailyWeekly(i, 1));
        values[i] = seasonal[i] * Math.exp(sigma * rng.normal());
      }
      break;
    }
    case 'memory': {
      // GC sawtooth: allocation grows the heap until a collection drops it back near the live set.
      const live = 400 + 400 * rng.next();
      const growth = 2 + 3 * rng.next(); // MB per point
      const period = 18 + rng.int(18);
      noise = 3 + 3 * rng.next();
      floor = 0;
      let phase = rng.int(period);
      for (let i = 0; i < POINTS; i++) {
        phase = (phase + 1) % period;
        seasonal[i] = live + growth * phase;
        values[i] = seasonal[i] + noise * rng.normal();
      }
      break;
    }
    case 'disk': {
      // Steady growth with a nightly log rotation that frees what the day wrote.
      const used = 40 + 30 * rng.next(); // GB
      const perPoint = 0.01 + 0.02 * rng.next();
      noise = 0.05 + 0.05 * rng.next();
      floor = 0;
      for (let i = 0; i < POINTS; i++) {
        seasonal[i] = used + perPoint * (i % PER_DAY) + 0.002 * i;
        values[i] = seasonal[i] + noise * rng.normal();
      }
      break;
    }
    case 'errors': {
      // Error counts per 5 minutes: Poisson with a rate that follows traffic.
      const rate = 3 + 6 * rng.next();
      noise = Math.sqrt(rate);
      floor = 0;
      for (let i = 0; i < POINTS; i++) {
        seasonal[i] = rate * (1 + 0.5 * dailyWeekly(i, 1));
        values[i] = poisson(seasonal[i], rng);
      }
      break;
    }
    case 'queue': {
      // Queue depth: an AR(1) around a daily level, clipped at zero.
      const level = 20 + 30 * rng.next();
      noise = 2 + 3 * rng.next();
      floor = 0;
      let ar = 0;
      for (let i = 0; i < POINTS; i++) {
        ar = 0.8 * ar + noise * 0.6 * rng.normal();
        seasonal[i] = level + dailyWeekly(i, level * 0.4);
        values[i] = Math.max(0, seasonal[i] + ar);
      }
      break;
    }
  }
  return { values, seasonal, noise, floor };
}

function poisson(lambda: number, rng: Rng): number {
  // Knuth's multiplication method: fine for the small rates used here.
  const l = Math.exp(-Math.max(lambda, 0));
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= rng.next();
  } while (p > l);
  return k - 1;
}

const MODES_BY_METRIC: Record<MetricKind, FailureMode[]> = {
  cpu: [
    'spike',
    'dip',
    'level-shift',
    'variance-change',
    'trend-change',
    'seasonality-break',
    'stuck-sensor',
    'missing-gap',
  ],
  latency: ['spike', 'level-shift', 'variance-change', 'trend-change', 'stuck-sensor', 'missing-gap'],
  memory: ['spike', 'dip', 'level-shift', 'slow-leak', 'stuck-sensor', 'missing-gap'],
  disk: ['spike', 'level-shift', 'trend-change', 'slow-leak', 'stuck-sensor', 'missing-gap'],
  errors: ['spike', 'level-shift', 'variance-change', 'stuck-sensor', 'missing-gap'],
  queue: ['spike', 'level-shift', 'variance-change', 'seasonality-break', 'stuck-sensor', 'missing-gap'],
};

function inject(b: Base, mode: FailureMode, onset: number, rng: Rng): Label {
  const v = b.values;
  const sign = rng.next() < 0.5 ? -1 : 1;
  const span = (d: number, extra: number) => ({
    end: Math.min(POINTS, onset + d),
    windowEnd: Math.min(POINTS, onset + Math.max(d, 1) + extra),
  });
  let extent: { end: number; windowEnd: number };
  switch (mode) {
    case 'spike':
    case 'dip': {
      const d = 1 + rng.int(3);
      const k = (7 + 6 * rng.next()) * (mode === 'dip' ? -1 : 1);
      for (let i = onset; i < onset + d; i++) v[i] = v[i] + k * b.noise;
      extent = span(d, 6);
      break;
    }
    case 'level-shift': {
      const k = sign * (5 + 4 * rng.next());
      for (let i = onset; i < POINTS; i++) v[i] += k * b.noise;
      extent = { end: POINTS, windowEnd: Math.min(POINTS, onset + 36) };
      break;
    }
    case 'variance-change': {
      const d = 144 + rng.int(144);
      for (let i = onset; i < Math.min(POINTS, onset + d); i++)
        v[i] = b.seasonal[i] + (v[i] - b.seasonal[i]) * 5;
      extent = span(d, 0);
      extent = { end: extent.end, windowEnd: Math.min(POINTS, onset + 72) };
      break;
    }
    case 'trend-change': {
      const slope = (sign * (8 + 6 * rng.next()) * b.noise) / PER_DAY;
      for (let i = onset; i < POINTS; i++) v[i] += slope * (i - onset);
      extent = { end: POINTS, windowEnd: Math.min(POINTS, onset + PER_DAY) };
      break;
    }
    case 'seasonality-break': {
      // The daily cycle stops (a stuck scheduler, a failed-over region): the series flattens to its daily mean.
      const d = PER_DAY;
      let mean = 0;
      for (let i = onset; i < onset + d; i++) mean += b.seasonal[i] / d;
      for (let i = onset; i < Math.min(POINTS, onset + d); i++) v[i] += mean - b.seasonal[i];
      extent = { end: Math.min(POINTS, onset + d), windowEnd: Math.min(POINTS, onset + d) };
      break;
    }
    case 'slow-leak': {
      const d = Math.min(POINTS - onset, 400 + rng.int(300));
      const total = (8 + 6 * rng.next()) * b.noise;
      for (let i = onset; i < POINTS; i++) v[i] += (total * Math.min(i - onset, d)) / d;
      extent = { end: POINTS, windowEnd: Math.min(POINTS, onset + d) };
      break;
    }
    case 'stuck-sensor': {
      const d = 60 + rng.int(90);
      const stuck = v[onset - 1];
      for (let i = onset; i < Math.min(POINTS, onset + d); i++) v[i] = stuck;
      // Release from a stuck value is itself a symptom worth an alarm, so the window runs a little past the end.
      extent = span(d, 6);
      break;
    }
    case 'missing-gap': {
      const d = 24 + rng.int(60);
      for (let i = onset; i < Math.min(POINTS, onset + d); i++) v[i] = Number.NaN;
      extent = span(d, 0);
      break;
    }
  }
  if (Number.isFinite(b.floor)) for (let i = onset; i < extent.end; i++) if (v[i] < b.floor) v[i] = b.floor;
  return {
    mode,
    onset,
    end: extent.end,
    windowStart: Math.max(TRAIN, onset - 3),
    windowEnd: extent.windowEnd,
  };
}

/** Every failure mode the corpus injects, the nuisance `missing-gap` last. */
export const FAILURE_MODES: readonly FailureMode[] = [
  'spike',
  'dip',
  'level-shift',
  'variance-change',
  'trend-change',
  'seasonality-break',
  'slow-leak',
  'stuck-sensor',
  'missing-gap',
];

/** A series' labels with indices relative to the start of its test part. */
export function testLabels(s: CorpusSeries): Label[] {
  return s.labels.map((l) => ({
    ...l,
    onset: l.onset - TRAIN,
    end: l.end - TRAIN,
    windowStart: l.windowStart - TRAIN,
    windowEnd: l.windowEnd - TRAIN,
  }));
}

/**
 * Generates `count` labelled series (default 240): the six metric kinds in turn; about one series in eight is
 * left clean to measure false alarms; the others get one or two failures at least a day apart in the test part.
 */
export function generateCorpus(seed = 2026, count = 240): CorpusSeries[] {
  const rng = createRng(seed);
  const metrics: MetricKind[] = ['cpu', 'latency', 'memory', 'disk', 'errors', 'queue'];
  const out: CorpusSeries[] = [];
  for (let s = 0; s < count; s++) {
    const metric = metrics[s % metrics.length];
    const b = baseSeries(metric, rng);
    const labels: Label[] = [];
    const clean = rng.next() < 0.125;
    if (!clean) {
      const modes = MODES_BY_METRIC[metric];
      const first = modes[rng.int(modes.length)];
      const persistent = ['level-shift', 'trend-change', 'slow-leak'].includes(first);
      const firstOnset = TRAIN + 48 + rng.int(persistent ? 2 * PER_DAY : PER_DAY);
      labels.push(inject(b, first, firstOnset, rng));
      // A second, transient failure at least a day later when the first one ends early enough.
      const secondOnset = Math.max(labels[0].windowEnd, firstOnset) + PER_DAY;
      if (!persistent && secondOnset < POINTS - 200 && rng.next() < 0.6) {
        const transient = modes.filter((m) => ['spike', 'dip', 'stuck-sensor', 'missing-gap'].includes(m));
        labels.push(inject(b, transient[rng.int(transient.length)], secondOnset + rng.int(48), rng));
      }
    }
    const timestamps = new Float64Array(POINTS);
    for (let i = 0; i < POINTS; i++) timestamps[i] = START + i * STEP_MS;
    out.push({
      id: `${metric}-${String(s).padStart(3, '0')}`,
      metric,
      timestamps,
      values: b.values,
      noise: b.noise,
      labels,
    });
  }
  return out;
}
