/**
 * bench/maintenance: time-to-exhaustion error and false-alarm rate of `forecastExhaustion` against Prometheus's
 * `predict_linear` (windows 1 h, 6 h, 24 h) over seeded synthetic disk scenarios, and leak detection of
 * `detectLeak` against a `predict_linear` memory alert, side by side in one run.
 *
 * Disk families (each a different clean-up / cycle pattern; rates, sizes and noise drawn per scenario):
 * capacity is set so that the noiseless path first reaches it 2–12 days after the last observation ("fills"
 * families) or never within the 14-day horizon ("stays" families). An alarm is an ETA within the horizon.
 */
import { createRng } from '@vigil/core';
import { detectLeak, forecastExhaustion, predictLinearEta } from '@vigil/detectors/maintenance';
import {
  DAY,
  type DiskOptions,
  diskScenario,
  type HeapOptions,
  HOUR,
  heapScenario,
} from '../../packages/detectors/test/maintenance/scenarios.js';
import { progress, type Row, writeResult } from '../lib/report.js';

const HORIZON = 14 * DAY;
const PER_FAMILY = Number(process.env.MAINTENANCE_SCENARIOS ?? 25);

type Rng = ReturnType<typeof createRng>;
/** A family draws the shape of its scenarios; seed, start level and noise are drawn the same way for all. */
type Family = { name: string; fills: boolean; make: (rng: Rng) => Omit<DiskOptions, 'seed' | 'capacity'> };

const families: Family[] = [
  { name: 'linear', fills: true, make: (r) => ({ days: 7, ratePerDay: 5 + 20 * r.next() }) },
  {
    name: 'linear+rotation',
    fills: true,
    make: (r) => {
      const rate = 10 + 30 * r.next();
      return { days: 7, ratePerDay: rate, cleanupEvery: DAY, cleanupAmount: rate * (0.4 + 0.5 * r.next()) };
    },
  },
  {
    name: 'accelerating+cleanups',
    fills: true,
    make: (r) => ({
      days: 7,
      ratePerDay: 5 + 10 * r.next(),
      accelPerDay2: 1 + 4 * r.next(),
      cleanupEvery: DAY / 2,
      cleanupAmount: 3 + 5 * r.next(),
    }),
  },
  {
    name: 'daily-cycle',
    fills: true,
    make: (r) => ({ days: 14, ratePerDay: 3 + 10 * r.next(), dailyAmplitude: 5 + 20 * r.next() }),
  },
  { name: 'flat', fills: false, make: () => ({ days: 7, ratePerDay: 0 }) },
  {
    name: 'balanced-rotation',
    fills: false,
    make: (r) => {
      const rate = 10 + 30 * r.next();
      return { days: 7, ratePerDay: rate, cleanupEvery: DAY, cleanupAmount: rate };
    },
  },
  {
    name: 'daily-cycle-flat',
    fills: false,
    make: (r) => ({ days: 14, ratePerDay: 0, dailyAmplitude: 5 + 20 * r.next() }),
  },
];

function capacityFor(o: DiskOptions, fills: boolean, rng: Rng): number {
  const probe = diskScenario({ ...o, capacity: Number.POSITIVE_INFINITY, searchDays: 0 });
  const end = probe.series.timestamps[probe.series.timestamps.length - 1] - probe.series.timestamps[0];
  const reach = fills ? (2 + 10 * rng.next()) * DAY : HORIZON;
  let max = Number.NEGATIVE_INFINITY;
  for (let dt = end; dt <= end + reach; dt += 10 * 60_000) max = Math.max(max, probe.path(dt));
  // "Stays" families: 10 % above anything the path reaches in the horizon (and above its noise).
  return fills ? max : max + 0.1 * Math.abs(max) + 10;
}

const methods = ['vigil', 'predict_linear[1h]', 'predict_linear[6h]', 'predict_linear[24h]'] as const;
type Method = (typeof methods)[number];
const windows: Record<Exclude<Method, 'vigil'>, number> = {
  'predict_linear[1h]': HOUR,
  'predict_linear[6h]': 6 * HOUR,
  'predict_linear[24h]': DAY,
};

interface Outcome {
  family: string;
  fills: boolean;
  trueEta: number | null;
  eta: Record<Method, number | null>;
}

const outcomes: Outcome[] = [];
const timing: Record<Method, number> = {
  vigil: 0,
  'predict_linear[1h]': 0,
  'predict_linear[6h]': 0,
  'predict_linear[24h]': 0,
};
let seed = 1;
for (const family of families) {
  progress(`disk family ${family.name}: ${PER_FAMILY} series …`);
  const rng = createRng(1000 + families.indexOf(family));
  for (let k = 0; k < PER_FAMILY; k++, seed++) {
    const options: DiskOptions = {
      seed,
      start: 100,
      noise: 0.5 + 2 * rng.next(),
      capacity: 0,
      ...family.make(rng),
    };
    const scenario = diskScenario({
      ...options,
      capacity: capacityFor(options, family.fills, rng),
      searchDays: 30,
    });
    const eta = {} as Record<Method, number | null>;
    let t0 = performance.now();
    const f = await forecastExhaustion(scenario.series, { capacity: scenario.capacity, horizon: HORIZON });
    timing.vigil += performance.now() - t0;
    eta.vigil = f.eta;
    for (const m of methods) {
      if (m === 'vigil') continue;
      t0 = performance.now();
      eta[m] = predictLinearEta(scenario.series, windows[m], scenario.capacity);
      timing[m] += performance.now() - t0;
    }
    outcomes.push({ family: family.name, fills: family.fills, trueEta: scenario.trueEta, eta });
  }
}

const alarm = (eta: number | null) => eta !== null && eta <= HORIZON;
const median = (a: number[]) => {
  if (a.length === 0) return null;
  const s = [...a].sort((x, y) => x - y);
  return s[Math.floor((s.length - 1) / 2)];
};
const p90 = (a: number[]) =>
  a.length === 0 ? null : [...a].sort((x, y) => x - y)[Math.floor(0.9 * (a.length - 1))];

const rows: Row[] = [];
for (const family of [...families.map((f) => f.name), 'all']) {
  const subset = outcomes.filter((o) => family === 'all' || o.family === family);
  for (const m of methods) {
    const fill = subset.filter((o) => o.trueEta !== null && o.trueEta <= HORIZON);
    const stay = subset.filter((o) => o.trueEta === null || o.trueEta > HORIZON);
    const errors = fill
      .filter((o) => alarm(o.eta[m]))
      .map((o) => Math.abs(o.eta[m]! - o.trueEta!) / o.trueEta!);
    rows.push({
      family,
      method: m,
      scenarios: subset.length,
      medianRelError: median(errors),
      p90RelError: p90(errors),
      within20pct: fill.length
        ? fill.filter((o) => alarm(o.eta[m]) && Math.abs(o.eta[m]! - o.trueEta!) <= 0.2 * o.trueEta!).length /
          fill.length
        : null,
      missRate: fill.length ? fill.filter((o) => !alarm(o.eta[m])).length / fill.length : null,
      falseAlarmRate: stay.length ? stay.filter((o) => alarm(o.eta[m])).length / stay.length : null,
    });
  }
}

// Leaks: 6 hours of heap under GC sawtooth; the peer is the usual alert "predict_linear(heap[1h], 24h) > limit".
const LIMIT = 512e6;
const leakRows: Row[] = [];
type HeapShape = Omit<HeapOptions, 'seed' | 'hours' | 'floorNoise' | 'sampleNoise'>;
const leakKinds: { kind: string; leaking: boolean; make: (rng: Rng) => HeapShape }[] = [
  {
    kind: 'leak 0.5–4 MB/h',
    leaking: true,
    make: (r) => ({ leakPerHour: 0.5e6 + 3.5e6 * r.next(), base: 380e6 }),
  },
  { kind: 'healthy sawtooth', leaking: false, make: () => ({ leakPerHour: 0, base: 380e6 }) },
  {
    kind: 'warm-up plateau',
    leaking: false,
    make: (r) => ({ leakPerHour: 0, base: 330e6, warmupAmount: 50e6, warmupHours: 0.3 + 0.5 * r.next() }),
  },
  {
    kind: 'restarting leak',
    leaking: true,
    make: (r) => ({ leakPerHour: 2e6 + 2e6 * r.next(), base: 380e6, restartsAt: [2, 4] }),
  },
];
let leakMs = 0;
let baselineMs = 0;
for (const kind of leakKinds) {
  progress(`leak kind ${kind.kind}: ${PER_FAMILY} series …`);
  const rng = createRng(2000 + leakKinds.indexOf(kind));
  let vigil = 0;
  let baseline = 0;
  for (let k = 0; k < PER_FAMILY; k++, seed++) {
    const s = heapScenario({ seed, hours: 6, floorNoise: 1e6, sampleNoise: 2e5, ...kind.make(rng) });
    let t0 = performance.now();
    if (detectLeak(s, { limit: LIMIT }).leaking) vigil++;
    leakMs += performance.now() - t0;
    t0 = performance.now();
    const eta = predictLinearEta(s, HOUR, LIMIT);
    if (eta !== null && eta <= DAY) baseline++;
    baselineMs += performance.now() - t0;
  }
  leakRows.push({
    family: kind.kind,
    method: 'vigil detectLeak',
    scenarios: PER_FAMILY,
    [kind.leaking ? 'detectionRate' : 'falseAlarmRate']: vigil / PER_FAMILY,
  });
  leakRows.push({
    family: kind.kind,
    method: 'predict_linear[1h] > limit in 24h',
    scenarios: PER_FAMILY,
    [kind.leaking ? 'detectionRate' : 'falseAlarmRate']: baseline / PER_FAMILY,
  });
}

const calls = outcomes.length;
writeResult('maintenance', [...rows, ...leakRows], {
  horizonDays: HORIZON / DAY,
  scenariosPerFamily: PER_FAMILY,
  definitions: {
    medianRelError:
      'median |ETA − true ETA| / true ETA over scenarios that fill within the horizon and were alarmed',
    within20pct: 'share of filling scenarios alarmed with an ETA within 20 % of the truth',
    missRate: 'share of filling scenarios with no ETA within the horizon',
    falseAlarmRate:
      'share of non-filling scenarios (or healthy heaps) with an ETA within the horizon (or a leak verdict)',
  },
  msPerCall: Object.fromEntries(methods.map((m) => [m, timing[m] / calls])),
  leakMsPerCall: {
    detectLeak: leakMs / (leakKinds.length * PER_FAMILY),
    predictLinear: baselineMs / (leakKinds.length * PER_FAMILY),
  },
});
