import { createRng, VigilInputError } from '@vigil/core';

export const STEP_MS = 300_000;
export const DAY = 288;
export const START = Date.UTC(2026, 0, 5);

/** What a synthetic series is made of, in y units per day / y units. */
export interface SyntheticSpec {
  readonly days: number;
  readonly level?: number;
  readonly slope?: number;
  /** Slope changes: at `day`, the slope becomes `slope` (y per day). */
  readonly changes?: ReadonlyArray<{ day: number; slope: number }>;
  readonly daily?: number;
  readonly weekly?: number;
  readonly noise?: number;
  readonly seed?: number;
  readonly startIndex?: number;
}

/** Seeded 5-minute series: piecewise-linear trend + daily and weekly sinusoids + Gaussian noise. */
export function synthetic(spec: SyntheticSpec): { timestamps: Float64Array; values: Float64Array } {
  const rng = createRng(spec.seed ?? 1);
  const n = spec.days * DAY + 1;
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const j = i + (spec.startIndex ?? 0);
    const d = j / DAY;
    let trend = (spec.level ?? 100) + (spec.slope ?? 0) * d;
    let prevSlope = spec.slope ?? 0;
    for (const c of spec.changes ?? []) {
      if (d > c.day) trend += (c.slope - prevSlope) * (d - c.day);
      prevSlope = c.slope;
    }
    timestamps[i] = START + j * STEP_MS;
    values[i] =
      trend +
      (spec.daily ?? 0) * Math.sin(2 * Math.PI * d) +
      (spec.weekly ?? 0) * Math.sin((2 * Math.PI * d) / 7) +
      (spec.noise ?? 1) * rng.normal();
  }
  return { timestamps, values };
}

/** Local slope (y per day) of a curve sampled every 5 minutes, by least squares over [fromDay, toDay]. */
export function slopePerDay(curve: ArrayLike<number>, fromDay: number, toDay: number): number {
  const a = Math.round(fromDay * DAY);
  const b = Math.round(toDay * DAY);
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  const n = b - a + 1;
  for (let i = a; i <= b; i++) {
    const x = i / DAY;
    sx += x;
    sy += curve[i];
    sxx += x * x;
    sxy += x * curve[i];
  }
  return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

/** The `code` of the VigilInputError `fn` throws (undefined when it does not throw; other errors propagate). */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof VigilInputError) return e.code;
    throw e;
  }
  return undefined;
}
