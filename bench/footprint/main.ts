/**
 * bench/footprint: what one fitted series costs in memory and in update time, per streaming detector kind, side by
 * side in one run — right after its fit on one day of 5-minute points (as a Pipeline fits), and after a further month
 * of streamed points (8 640, the default detector's whole memory).
 *
 * Memory is the growth of the V8 heap plus ArrayBuffer backing stores over `SERIES` live detectors, after a full GC
 * (run with --expose-gc, as `npm run bench` does), divided by the number of series. Throughput is the month's
 * streaming, points per second over all series, on one core.
 */
import { createRng } from '@vigil/core';
import { createDetector } from '@vigil/detectors';
import { progress, type Row, writeResult } from '../lib/report.js';

const STEP = 5 * 60_000;
const DAY = 288;
const MONTH = 30 * DAY;
const SERIES = Number(process.env.FOOTPRINT_SERIES ?? 20);
const T0 = Date.UTC(2026, 0, 5);

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('bench/footprint needs --expose-gc (npm run bench -- footprint passes it)');

function usedBytes(): number {
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** One seeded series: a daily cycle, noise, occasional bursts — DAY + MONTH points. */
function series(seed: number): { t: Float64Array; v: Float64Array } {
  const rng = createRng(seed);
  const n = DAY + MONTH;
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    t[i] = T0 + i * STEP;
    v[i] = 100 + 20 * Math.sin((2 * Math.PI * i) / DAY) + 3 * rng.normal() + (rng.next() < 0.002 ? 40 : 0);
  }
  return { t, v };
}

const kinds = [
  { name: 'ensemble', make: () => createDetector('ensemble') },
  { name: 'zscore', make: () => createDetector('zscore') },
  { name: 'mad', make: () => createDetector('mad') },
] as const;

const data = Array.from({ length: SERIES }, (_, s) => series(100 + s));
const rows: Row[] = [];
for (const kind of kinds) {
  progress(`${kind.name}: fitting ${SERIES} series on one day each`);
  const before = usedBytes();
  const detectors = [];
  for (const { t, v } of data) {
    const d = kind.make();
    await d.fit({ timestamps: t.subarray(0, DAY), values: v.subarray(0, DAY) });
    detectors.push(d);
  }
  const fresh = (usedBytes() - before) / SERIES;
  progress(`${kind.name}: streaming a month (${MONTH} points) through each`);
  const t0 = performance.now();
  for (let s = 0; s < SERIES; s++) {
    const d = detectors[s];
    const { t, v } = data[s];
    for (let i = DAY; i < DAY + MONTH; i++) d.update?.(t[i], v[i]);
  }
  const seconds = (performance.now() - t0) / 1000;
  const month = (usedBytes() - before) / SERIES;
  rows.push({
    detector: kind.name,
    series: SERIES,
    'KiB per series after fit': Math.round(fresh / 1024),
    'KiB per series after a month': Math.round(month / 1024),
    'points/s': Math.round((SERIES * MONTH) / seconds),
  });
  detectors.length = 0;
}
writeResult('footprint', rows, { step: '5 min', fitPoints: DAY, streamedPoints: MONTH });
