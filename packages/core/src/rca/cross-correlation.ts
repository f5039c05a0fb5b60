/**
 * Pearson correlation of `x[t]` with `y[t + lag]` over the pairs where both are finite (NaN where fewer than 3
 * pairs or either side is constant). A positive lag pairs `x` with later `y`: a high value says `x` leads `y`.
 *
 * @example
 * crossCorrelation([0, 1, 0, 0], [0, 0, 1, 0], 1); // 1: y repeats x one step later
 */
export function crossCorrelation(x: ArrayLike<number>, y: ArrayLike<number>, lag: number): number {
  let n = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  const from = Math.max(0, -lag);
  const to = Math.min(x.length, y.length - lag);
  for (let t = from; t < to; t++) {
    const a = x[t];
    const b = y[t + lag];
    if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
    n++;
    sx += a;
    sy += b;
    sxx += a * a;
    syy += b * b;
    sxy += a * b;
  }
  if (n < 3) return Number.NaN;
  const cov = sxy - (sx * sy) / n;
  const vx = sxx - (sx * sx) / n;
  const vy = syy - (sy * sy) / n;
  return vx > 0 && vy > 0 ? cov / Math.sqrt(vx * vy) : Number.NaN;
}

/** The lag with the strongest correlation and how strong it is. */
export interface LeadLag {
  /** Steps by which `x` leads `y` (negative: `y` leads). */
  readonly lag: number;
  /** Correlation at that lag, in [−1, 1]. */
  readonly correlation: number;
  /** Pairs compared at lag 0. */
  readonly n: number;
}

/**
 * The lag in [−maxLag, maxLag] at which `x` and `y` correlate most in absolute value (ties go to the smallest
 * |lag|). Run it on differenced series: a level shift becomes a spike, and the spikes of a cause and its effect
 * line up at the propagation delay.
 *
 * @example
 * leadLag([0, 0, 5, 0, 0, 0], [0, 0, 0, 0, 5, 0], 3).lag; // 2
 */
export function leadLag(x: ArrayLike<number>, y: ArrayLike<number>, maxLag: number): LeadLag {
  let best = { lag: 0, correlation: 0 };
  const order = [0];
  for (let k = 1; k <= maxLag; k++) order.push(k, -k);
  for (const lag of order) {
    const r = crossCorrelation(x, y, lag);
    if (Number.isFinite(r) && Math.abs(r) > Math.abs(best.correlation) + 1e-12)
      best = { lag, correlation: r };
  }
  let n = 0;
  for (let t = 0; t < Math.min(x.length, y.length); t++)
    if (Number.isFinite(x[t]) && Number.isFinite(y[t])) n++;
  return { ...best, n };
}
