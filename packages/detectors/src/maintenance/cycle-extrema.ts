import { findDrops } from './find-drops.js';

/** One cycle of a sawtooth (between two drops) or one fixed window. Times in epoch ms. */
export interface Cycle {
  readonly start: number;
  readonly end: number;
  readonly tMin: number;
  readonly min: number;
  readonly tMax: number;
  readonly max: number;
  /** False for the last cycle when it has not ended with a drop yet (its max may still grow). */
  readonly complete: boolean;
}

/** Options of {@link cycleExtrema}. */
export interface CycleExtremaOptions {
  /** Smallest fall that ends a cycle, in value units; default {@link dropThreshold}. */
  readonly dropThreshold?: number;
  /** With fewer drops than this, fixed windows are used instead; default 4. */
  readonly minCycles?: number;
  /** Number of equal-time windows when falling back; default 12. */
  readonly windows?: number;
}

/** Cycles and how they were found. */
export interface CycleExtrema {
  readonly cycles: Cycle[];
  /** `'drops'` when the cycles are the sawtooth's own (between sudden falls), `'windows'` otherwise. */
  readonly method: 'drops' | 'windows';
}

function extremaOf(
  t: ArrayLike<number>,
  y: ArrayLike<number>,
  start: number,
  end: number,
  complete: boolean,
) {
  let iMin = -1;
  let iMax = -1;
  for (let i = start; i <= end; i++) {
    if (Number.isNaN(y[i])) continue;
    if (iMin < 0 || y[i] < y[iMin]) iMin = i;
    if (iMax < 0 || y[i] > y[iMax]) iMax = i;
  }
  if (iMin < 0) return undefined;
  return { start: t[start], end: t[end], tMin: t[iMin], min: y[iMin], tMax: t[iMax], max: y[iMax], complete };
}

/**
 * Per-cycle minima and maxima of a sawtooth: the series is cut at every sudden drop ({@link findDrops}), and each
 * cycle's minimum (e.g. the live heap right after a GC) and maximum are kept. When the series has fewer than
 * `minCycles` drops, it is cut into `windows` equal-time windows instead. Cycles with only NaN are skipped.
 *
 * @param t - timestamps, epoch ms, increasing.
 * @param y - observations; NaN skipped.
 * @example
 * cycleExtrema([0, 1, 2, 3, 4, 5], [1, 2, 3, 1.1, 2.1, 3.1], { minCycles: 1 }).cycles.map((c) => c.min); // [1, 1.1]
 */
export function cycleExtrema(
  t: ArrayLike<number>,
  y: ArrayLike<number>,
  options: CycleExtremaOptions = {},
): CycleExtrema {
  const drops = findDrops(y, { threshold: options.dropThreshold });
  const cycles: Cycle[] = [];
  if (drops.length >= (options.minCycles ?? 4)) {
    let start = 0;
    for (const drop of drops) {
      const cycle = extremaOf(t, y, start, drop.from, true);
      if (cycle) cycles.push(cycle);
      start = drop.to;
    }
    const last = extremaOf(t, y, start, y.length - 1, false);
    if (last) cycles.push(last);
    return { cycles, method: 'drops' };
  }
  const windows = options.windows ?? 12;
  const t0 = t[0];
  const span = t[t.length - 1] - t0;
  let start = 0;
  for (let w = 1; w <= windows && start < y.length; w++) {
    const edge = t0 + (span * w) / windows;
    let end = start;
    while (end + 1 < y.length && t[end + 1] <= edge) end++;
    const cycle = extremaOf(t, y, start, end, w < windows);
    if (cycle) cycles.push(cycle);
    start = end + 1;
  }
  return { cycles, method: 'windows' };
}
