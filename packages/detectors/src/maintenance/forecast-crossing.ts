/**
 * Evenly spaced future timestamps after `tEnd` up to `tEnd + horizon`, at `step` ms or coarser so that there are
 * at most `maxPoints`.
 */
export function horizonGrid(tEnd: number, step: number, horizon: number, maxPoints = 20_000): Float64Array {
  const spacing = Math.max(step, horizon / maxPoints);
  const n = Math.max(1, Math.ceil(horizon / spacing));
  return Float64Array.from({ length: n }, (_, i) => Math.min(tEnd + (i + 1) * spacing, tEnd + horizon));
}

/**
 * The first time the path crosses `level` upwards, interpolated linearly between grid points; the path starts at
 * `(t0, v0)`. Returns `null` when it never reaches `level` on the grid.
 *
 * @example
 * firstCrossing(0, 0, Float64Array.of(10, 20), Float64Array.of(5, 15), 10); // 15
 */
export function firstCrossing(
  t0: number,
  v0: number,
  timestamps: Float64Array,
  values: Float64Array,
  level: number,
): number | null {
  if (v0 >= level) return t0;
  let tPrev = t0;
  let vPrev = v0;
  for (let i = 0; i < timestamps.length; i++) {
    const v = values[i];
    if (v >= level) {
      const fraction = v === vPrev ? 1 : (level - vPrev) / (v - vPrev);
      return tPrev + Math.min(1, Math.max(0, fraction)) * (timestamps[i] - tPrev);
    }
    tPrev = timestamps[i];
    vPrev = v;
  }
  return null;
}
