import { createRng, type Series, seriesFromStep } from '@vigil/core';

/** A labelled injected anomaly of the demo series. */
export interface Injected {
  readonly label: string;
  readonly start: number;
  readonly end: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * A week of 5-minute CPU utilisation (%) with a daily cycle peaking mid-afternoon and Gaussian noise; a 10-minute
 * spike on day 5 and a lasting level shift (a deploy that doubled the work per request) on day 6.
 */
export function syntheticCpu(seed = 7): { series: Series; injected: Injected[]; start: number } {
  const start = Date.UTC(2026, 10, 2);
  const step = 5 * MINUTE;
  const n = (7 * DAY) / step;
  const rng = createRng(seed);
  const values = new Float64Array(n);
  const spikeAt = start + 4 * DAY + 14 * HOUR;
  const shiftAt = start + 5 * DAY + 9 * HOUR;
  for (let i = 0; i < n; i++) {
    const t = start + i * step;
    const hourOfDay = (t % DAY) / HOUR;
    let v = 40 + 15 * Math.sin((2 * Math.PI * (hourOfDay - 9)) / 24) + 1.5 * rng.normal();
    if (t >= spikeAt && t < spikeAt + 10 * MINUTE) v += 35;
    if (t >= shiftAt) v += 20;
    values[i] = v;
  }
  return {
    series: seriesFromStep(start, step, values),
    injected: [
      { label: 'spike', start: spikeAt, end: spikeAt + 10 * MINUTE },
      { label: 'level shift', start: shiftAt, end: shiftAt + 2 * HOUR },
    ],
    start,
  };
}
