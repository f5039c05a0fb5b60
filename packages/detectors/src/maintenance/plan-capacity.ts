import { checkNumberOption, quantileSorted, type SeriesLike } from '@vigil/core';
import { firstCrossing, horizonGrid } from './forecast-crossing.js';
import { formatDuration, formatEta, formatQuantity } from './format.js';
import { medianStep, prepareSeries } from './prepare-series.js';
import { RobustSeasonalForecaster, type SeasonalForecaster, WEEK } from './seasonal-forecaster.js';

/** Options of {@link planCapacity}. */
export interface CapacityOptions {
  /** Current capacity (a limit, a quota, provisioned cores), in the series' units; > 0. */
  readonly limit: number;
  /** Fraction of capacity to keep free at the forecast peak, in [0, 1); default 0.2. */
  readonly headroom?: number;
  /** How far ahead to plan, ms; > 0. */
  readonly horizon: number;
  /** Quantile of the forecast over the final cycle that counts as the peak; default 0.95 (p95; 0.99 for p99). */
  readonly quantile?: number;
  /** The seasonal cycle the peak is taken over, ms; default a week (or the horizon when shorter). */
  readonly cycle?: number;
  /** What the series measures, for the summary; default "usage". */
  readonly name?: string;
  /** Unit of the values; 'B' formats bytes with SI prefixes. Default none. */
  readonly unit?: string;
  /** Forecaster; default a new {@link RobustSeasonalForecaster}. */
  readonly forecaster?: SeasonalForecaster;
}

/** Result of {@link planCapacity}. Times epoch ms, durations ms, values in the series' units. */
export interface CapacityPlan {
  /** The peak quantile of the forecast over the last cycle of the horizon, and the same over the band's edges. */
  readonly peak: number;
  readonly peakInterval: readonly [number, number];
  /** The same quantile over the last observed cycle, for comparison. */
  readonly currentPeak: number;
  /** When the forecast first exceeds `limit` (null: not within the horizon), and the interval on that time. */
  readonly crossing: number | null;
  readonly timeToLimit: number | null;
  readonly timeToLimitInterval: readonly [number | null, number | null];
  /** Capacity that keeps `headroom` free at the forecast peak: peak / (1 − headroom); and at the band's upper edge. */
  readonly requiredCapacity: number;
  readonly requiredCapacityUpper: number;
  /** requiredCapacity − limit, never below 0. */
  readonly additionalCapacity: number;
  readonly limit: number;
  readonly headroom: number;
  readonly horizon: number;
  readonly summary: string;
}

function quantileOf(values: Float64Array, p: number): number {
  return quantileSorted(Float64Array.from(values).sort(), p);
}

/**
 * Capacity planning: forecasts the seasonal peak (the `quantile` of the forecast over the last `cycle` of the
 * horizon), when usage first crosses `limit`, and how much capacity keeps the requested headroom at that peak.
 *
 * @throws {VigilInputError} as `toSeries`; `TOO_SHORT` with fewer than 10 values or a flat series;
 *   `INVALID_OPTION` for limit, horizon, headroom, quantile or cycle out of range.
 * @example
 * const plan = await planCapacity(cpuCores, { limit: 48, headroom: 0.2, horizon: 30 * 86_400_000, name: 'cluster cpu', unit: 'cores' });
 * plan.requiredCapacity; // e.g. 61.3 — provision this many cores to keep 20 % free at the p95 peak
 */
export async function planCapacity(input: SeriesLike, options: CapacityOptions): Promise<CapacityPlan> {
  const limit = checkNumberOption('options.limit', options?.limit, { min: 0, exclusiveMin: true });
  const horizon = checkNumberOption('options.horizon', options.horizon, { min: 0, exclusiveMin: true });
  const headroom = checkNumberOption('options.headroom', options.headroom ?? 0.2, {
    min: 0,
    max: 1,
    exclusiveMax: true,
  });
  const q = checkNumberOption('options.quantile', options.quantile ?? 0.95, { min: 0, max: 1 });
  const cycle = Math.min(
    horizon,
    checkNumberOption('options.cycle', options.cycle ?? WEEK, { min: 0, exclusiveMin: true }),
  );
  const name = options.name ?? 'usage';
  const series = prepareSeries(input, 10, 'planCapacity');
  const { timestamps, values } = series;
  const tEnd = timestamps[timestamps.length - 1];
  const forecaster = options.forecaster ?? new RobustSeasonalForecaster();
  await forecaster.fit(series);
  const grid = horizonGrid(tEnd, medianStep(timestamps), horizon);
  const band = await forecaster.predict(grid);
  let first = grid.length - 1;
  while (first > 0 && grid[first - 1] > tEnd + horizon - cycle) first--;
  const peak = quantileOf(band.yhat.subarray(first), q);
  const peakInterval: [number, number] = [
    quantileOf(band.lower.subarray(first), q),
    quantileOf(band.upper.subarray(first), q),
  ];
  const recent = values.filter((_, i) => timestamps[i] > tEnd - cycle && !Number.isNaN(values[i]));
  const currentPeak = quantileOf(recent, q);
  const start = await forecaster.predict(Float64Array.of(tEnd));
  const cross = (path: Float64Array, v0: number) => firstCrossing(tEnd, v0, grid, path, limit);
  const crossing = cross(band.yhat, start.yhat[0]);
  const earliest = cross(band.upper, start.upper[0]);
  const latest = cross(band.lower, start.lower[0]);
  const toEta = (t: number | null) => (t === null ? null : t - tEnd);
  const timeToLimit = toEta(crossing);
  const timeToLimitInterval: [number | null, number | null] = [toEta(earliest), toEta(latest)];
  const requiredCapacity = peak / (1 - headroom);
  const requiredCapacityUpper = peakInterval[1] / (1 - headroom);
  const additionalCapacity = Math.max(0, requiredCapacity - limit);
  const f = (v: number) => formatQuantity(v, options.unit);
  const pct = `p${Math.round(q * 100)}`;
  const crossText =
    timeToLimit === null
      ? `stays under ${f(limit)} for ${formatDuration(horizon)}`
      : `crosses ${f(limit)} in ${formatEta(timeToLimit, timeToLimitInterval)}`;
  const provision =
    additionalCapacity > 0
      ? `provision ${f(requiredCapacity)} (+${f(additionalCapacity)}) to keep ${Math.round(headroom * 100)}% headroom`
      : `${f(limit)} keeps ${Math.round(headroom * 100)}% headroom (needs ${f(requiredCapacity)})`;
  const summary = `${name} ${pct} peak goes from ${f(currentPeak)} to ${f(peak)} (${f(peakInterval[0])}–${f(peakInterval[1])}) in ${formatDuration(horizon)}; ${crossText}; ${provision}`;
  return {
    peak,
    peakInterval,
    currentPeak,
    crossing,
    timeToLimit,
    timeToLimitInterval,
    requiredCapacity,
    requiredCapacityUpper,
    additionalCapacity,
    limit,
    headroom,
    horizon,
    summary,
  };
}
