/**
 * Seeded synthetic resource series with known answers, shared by the maintenance tests and bench/maintenance.
 * Every answer comes from the noiseless generator continued past the observed window, never from a model.
 */
import { createRng, type Series } from '@vigil/core';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const WEEK = 7 * DAY;
export const T0 = Date.UTC(2026, 0, 5); // a Monday, 00:00 UTC

export interface DiskScenario {
  /** Observed window. */
  readonly series: Series;
  readonly capacity: number;
  /** Ms from the last observation until the noiseless path first reaches capacity, or null within `searchDays`. */
  readonly trueEta: number | null;
  /** The noiseless path, value at `dt` ms after the first timestamp. */
  readonly path: (dt: number) => number;
}

export interface DiskOptions {
  readonly seed: number;
  readonly days: number;
  readonly stepMinutes?: number;
  readonly start?: number;
  /** Gross fill per day and its change per day (accelerating fill). */
  readonly ratePerDay: number;
  readonly accelPerDay2?: number;
  /** A clean-up every `cleanupEvery` ms frees `cleanupAmount` (log rotation); its phase is random. */
  readonly cleanupEvery?: number;
  readonly cleanupAmount?: number;
  readonly dailyAmplitude?: number;
  readonly noise?: number;
  readonly capacity: number;
  readonly searchDays?: number;
}

/** Disk usage: gross fill (linear or accelerating) minus periodic clean-ups, a daily cycle and Gaussian noise. */
export function diskScenario(o: DiskOptions): DiskScenario {
  const rng = createRng(o.seed);
  const step = (o.stepMinutes ?? 10) * MINUTE;
  const phase = o.cleanupEvery ? rng.next() * o.cleanupEvery : 0;
  const path = (dt: number): number => {
    const d = dt / DAY;
    let v = (o.start ?? 0) + o.ratePerDay * d + 0.5 * (o.accelPerDay2 ?? 0) * d * d;
    if (o.cleanupEvery && o.cleanupAmount) v -= Math.floor((dt + phase) / o.cleanupEvery) * o.cleanupAmount;
    if (o.dailyAmplitude) v += o.dailyAmplitude * Math.sin((2 * Math.PI * dt) / DAY);
    return v;
  };
  const n = Math.round((o.days * DAY) / step);
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    timestamps[i] = T0 + i * step;
    values[i] = path(i * step) + (o.noise ?? 0) * rng.normal();
  }
  const end = (n - 1) * step;
  let trueEta: number | null = null;
  const fine = MINUTE;
  for (let dt = end; dt <= end + (o.searchDays ?? 120) * DAY; dt += fine) {
    if (path(dt) >= o.capacity) {
      trueEta = dt - end;
      break;
    }
  }
  return { series: { timestamps, values }, capacity: o.capacity, trueEta, path };
}

export interface HeapOptions {
  readonly seed: number;
  readonly hours: number;
  readonly stepSeconds?: number;
  /** Live-set growth per hour (the leak), 0 for a healthy process. */
  readonly leakPerHour: number;
  readonly base?: number;
  /** Mean seconds between GCs (jittered ±30 %) and bytes allocated per second between them. */
  readonly gcSeconds?: number;
  readonly allocPerSecond?: number;
  /** Warm-up: the live set rises by `warmupAmount` with time constant `warmupHours` (a cache filling). */
  readonly warmupAmount?: number;
  readonly warmupHours?: number;
  /** Hours at which the process restarts (live set back to base, leak starts over). */
  readonly restartsAt?: readonly number[];
  /** Standard deviation of the live set after each GC, and of each sample. */
  readonly floorNoise?: number;
  readonly sampleNoise?: number;
}

/** Heap used: a GC sawtooth on top of a live set that may leak, warm up, or restart. */
export function heapScenario(o: HeapOptions): Series {
  const rng = createRng(o.seed);
  const step = (o.stepSeconds ?? 15) * 1000;
  const gc = (o.gcSeconds ?? 120) * 1000;
  const alloc = o.allocPerSecond ?? 100_000;
  const n = Math.round((o.hours * HOUR) / step);
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  const restarts = (o.restartsAt ?? []).map((h) => h * HOUR);
  let nextGc = gc * (0.7 + 0.6 * rng.next());
  let lastGc = 0;
  let floorJitter = (o.floorNoise ?? 0) * rng.normal();
  for (let i = 0; i < n; i++) {
    const dt = i * step;
    while (dt >= nextGc) {
      lastGc = nextGc;
      nextGc += gc * (0.7 + 0.6 * rng.next());
      floorJitter = (o.floorNoise ?? 0) * rng.normal();
    }
    const since = dt - Math.max(0, ...restarts.filter((r) => r <= dt));
    const hours = since / HOUR;
    const warm = o.warmupAmount ? o.warmupAmount * (1 - Math.exp(-hours / (o.warmupHours ?? 1))) : 0;
    const floor = (o.base ?? 100e6) + o.leakPerHour * hours + warm + floorJitter;
    timestamps[i] = T0 + dt;
    values[i] = floor + alloc * ((dt - lastGc) / 1000) + (o.sampleNoise ?? 0) * rng.normal();
  }
  return { timestamps, values };
}

export interface WeeklyOptions {
  readonly seed: number;
  readonly weeks: number;
  readonly stepMinutes?: number;
  readonly base: number;
  readonly growthPerWeek: number;
  readonly dailyAmplitude: number;
  /** Weekend load is lower by this much. */
  readonly weekendDip: number;
  readonly noise: number;
  readonly limit: number;
}

/** Six weeks of half-hourly load growing 20/week under a day/night swing of 200 and a weekend dip of 150. */
export const GROWING_LOAD = {
  weeks: 6,
  base: 400,
  growthPerWeek: 20,
  dailyAmplitude: 200,
  weekendDip: 150,
  noise: 20,
  limit: 750,
} as const;

/** Service load: weekday/weekend and day/night cycles over a linear growth, with a known limit crossing. */
export function weeklyScenario(o: WeeklyOptions): {
  series: Series;
  trueCrossing: number | null;
  path: (dt: number) => number;
} {
  const rng = createRng(o.seed);
  const step = (o.stepMinutes ?? 30) * MINUTE;
  const path = (dt: number): number => {
    const dayOfWeek = Math.floor(dt / DAY) % 7; // 0 = Monday
    const hourPeak = Math.max(0, Math.sin((2 * Math.PI * (dt % DAY)) / DAY - Math.PI / 2));
    return (
      o.base +
      (o.growthPerWeek * dt) / WEEK +
      o.dailyAmplitude * hourPeak -
      (dayOfWeek >= 5 ? o.weekendDip : 0)
    );
  };
  const n = Math.round((o.weeks * WEEK) / step);
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    timestamps[i] = T0 + i * step;
    values[i] = path(i * step) + o.noise * rng.normal();
  }
  const end = (n - 1) * step;
  let trueCrossing: number | null = null;
  for (let dt = end; dt <= end + 52 * WEEK; dt += 5 * MINUTE) {
    if (path(dt) >= o.limit) {
      trueCrossing = dt - end;
      break;
    }
  }
  return { series: { timestamps, values }, trueCrossing, path };
}
