import { checkNumberOption, quantileSorted, type Series, type SeriesLike } from '@vigil/core';
import { findDrops } from './find-drops.js';
import { firstCrossing, horizonGrid } from './forecast-crossing.js';
import { formatDuration, formatEta, formatQuantity } from './format.js';
import { medianStep, prepareSeries } from './prepare-series.js';
import { DAY, RobustSeasonalForecaster, type SeasonalForecaster } from './seasonal-forecaster.js';

const HOUR = 3_600_000;

/** Options of {@link forecastExhaustion}. */
export interface ExhaustionOptions {
  /** The level at which the resource is exhausted (bytes, inodes, a quota), in the series' units; > 0. */
  readonly capacity: number;
  /** How far ahead to look, ms; default 30 days. */
  readonly horizon?: number;
  /** What the series measures, for the summary, e.g. "disk /var"; default "resource". */
  readonly name?: string;
  /** Unit of the values, for the summary; 'B' formats bytes with SI prefixes. Default none. */
  readonly unit?: string;
  /** Forecaster fitted on the (clean-up-adjusted) series; default a new {@link RobustSeasonalForecaster}. */
  readonly forecaster?: SeasonalForecaster;
  /** Smallest fall counted as a clean-up, in value units; default {@link dropThreshold}. */
  readonly dropThreshold?: number;
}

/**
 * How the clean-ups were handled: `'trend'` none seen, the series is forecast as is; `'stitched'` one or two
 * clean-ups, taken as one-offs: their drops are removed so the fill rate is measured across them and the path
 * starts from today's level; `'net-of-cleanups'` recurring clean-ups: the freed amount is spread evenly over time
 * (the average clean-up rate), the resulting smooth net series is forecast, and the sawtooth's highest excursion
 * above it is added back, because the resource runs out at a peak just before a clean-up.
 */
export type ExhaustionMethod = 'trend' | 'stitched' | 'net-of-cleanups';

/** When a resource runs out, with the evidence. Times are epoch ms, durations ms, rates value units per hour. */
export interface ExhaustionForecast {
  /** When the forecast reaches capacity, or null (see `reason`). */
  readonly time: number | null;
  /** `time` minus the last observation's timestamp, or null. */
  readonly eta: number | null;
  /** ETA interval from the forecaster's band: earliest from its upper edge, latest from its lower edge (null: not within the horizon). */
  readonly etaInterval: readonly [number | null, number | null];
  /** Why `time` is null, else null. */
  readonly reason: string | null;
  /** Last observed value and the capacity. */
  readonly level: number;
  readonly capacity: number;
  /** Average forecast fill rate over the horizon and its interval from the band. */
  readonly ratePerHour: number;
  readonly rateInterval: readonly [number, number];
  readonly method: ExhaustionMethod;
  /** Clean-up drops found. */
  readonly cleanups: number;
  readonly horizon: number;
  /** One sentence for an alert, e.g. "disk /var fills in 3.2 days (2.8–3.9)". */
  readonly summary: string;
}

interface Working {
  series: Series;
  method: ExhaustionMethod;
  cleanups: number;
  /** Added to the working series' forecast to get the original's: the sawtooth's peak excursion (else 0). */
  peakOffset: number;
}

function workingSeries(series: Series, threshold: number | undefined): Working {
  const { timestamps: t, values: y } = series;
  const drops = findDrops(y, { threshold });
  if (drops.length === 0) return { series, method: 'trend', cleanups: 0, peakOffset: 0 };
  const values = Float64Array.from(y);
  if (drops.length < 3) {
    let k = drops.length - 1;
    let offset = 0;
    for (let i = values.length - 1; i >= 0; i--) {
      while (k >= 0 && i <= drops[k].from) offset += drops[k--].amount;
      values[i] -= offset;
    }
    return { series: { timestamps: t, values }, method: 'stitched', cleanups: drops.length, peakOffset: 0 };
  }
  // Average clean-up rate between the first and the last drop: (m − 1) amounts over (m − 1) intervals.
  let freed = 0;
  for (let k = 1; k < drops.length; k++) freed += drops[k].amount;
  const cleanupRate = freed / (t[drops[drops.length - 1].to] - t[drops[0].to]);
  const sawtooth = new Float64Array(values.length);
  let k = 0;
  let cumulative = 0;
  for (let i = 0; i < values.length; i++) {
    while (k < drops.length && i >= drops[k].to) cumulative += drops[k++].amount;
    sawtooth[i] = cleanupRate * (t[i] - t[0]) - cumulative;
    values[i] = y[i] - sawtooth[i];
  }
  // The resource runs out at the top of the sawtooth; its 99th percentile ignores a single odd cycle.
  sawtooth.sort();
  return {
    series: { timestamps: t, values },
    method: 'net-of-cleanups',
    cleanups: drops.length,
    peakOffset: quantileSorted(sawtooth, 0.99),
  };
}

/**
 * Forecasts when a growing resource (disk bytes, inodes, a quota) reaches `capacity`, with an interval on the
 * time. Clean-up drops (log rotation, compaction) are found with `findDrops` and handled as described by
 * {@link ExhaustionMethod}; daily/weekly cycles and noise are the forecaster's job (robust trend, seasonal
 * medians, residual quantile band). The forecast is read on a grid at the data's spacing up to the horizon.
 *
 * @throws {VigilInputError} as `toSeries`; `TOO_SHORT` with fewer than 10 values or a flat series;
 *   `INVALID_OPTION` for a capacity or horizon that is not a positive number.
 * @example
 * const f = await forecastExhaustion(diskUsedBytes, { capacity: 500e9, name: 'disk /var', unit: 'B' });
 * f.summary; // "disk /var fills in 3.2 days (2.8–3.9); 412 GB of 500 GB, growing 27.5 GB/day"
 */
export async function forecastExhaustion(
  input: SeriesLike,
  options: ExhaustionOptions,
): Promise<ExhaustionForecast> {
  const capacity = checkNumberOption('options.capacity', options?.capacity, { min: 0, exclusiveMin: true });
  const horizon = checkNumberOption('options.horizon', options.horizon ?? 30 * DAY, {
    min: 0,
    exclusiveMin: true,
  });
  const name = options.name ?? 'resource';
  const series = prepareSeries(input, 10, 'forecastExhaustion');
  const { timestamps, values } = series;
  let last = values.length - 1;
  while (Number.isNaN(values[last])) last--;
  const tEnd = timestamps[timestamps.length - 1];
  const level = values[last];
  const working = workingSeries(series, options.dropThreshold);
  const forecaster = options.forecaster ?? new RobustSeasonalForecaster();
  await forecaster.fit(working.series);
  const grid = horizonGrid(tEnd, medianStep(timestamps), horizon);
  const band = await forecaster.predict(grid);
  const startBand = await forecaster.predict(Float64Array.of(tEnd));
  const hours = horizon / HOUR;
  const n = grid.length - 1;
  const rate = (band.yhat[n] - startBand.yhat[0]) / hours;
  const rateInterval: [number, number] = [
    (band.lower[n] - startBand.lower[0]) / hours,
    (band.upper[n] - startBand.upper[0]) / hours,
  ];
  const reachable = capacity - working.peakOffset;
  const crossing = (path: Float64Array, start: number) => firstCrossing(tEnd, start, grid, path, reachable);
  const atCapacity = level >= capacity;
  const time = atCapacity ? tEnd : crossing(band.yhat, startBand.yhat[0]);
  const earliest = atCapacity ? tEnd : crossing(band.upper, startBand.upper[0]);
  const latest = atCapacity ? tEnd : crossing(band.lower, startBand.lower[0]);
  const toEta = (t: number | null) => (t === null ? null : t - tEnd);
  const eta = toEta(time);
  const etaInterval: [number | null, number | null] = [toEta(earliest ?? time), toEta(latest)];
  const used = `${formatQuantity(level, options.unit)} of ${formatQuantity(capacity, options.unit)}`;
  const perDay = `${formatQuantity(rate * 24, options.unit)}/day`;
  let reason: string | null = null;
  let summary: string;
  if (atCapacity) {
    summary = `${name} is full: ${used}`;
  } else if (eta !== null) {
    summary = `${name} fills in ${formatEta(eta, etaInterval)}; ${used}, growing ${perDay}`;
  } else {
    reason =
      rate > 0
        ? `growing ${perDay}, it stays below capacity for the ${formatDuration(horizon)} horizon`
        : `not growing (${perDay}), so it never reaches capacity`;
    const soonest =
      etaInterval[0] === null
        ? ''
        : ` (could fill in ${formatDuration(etaInterval[0])} at the band's upper edge)`;
    summary = `${name} does not fill within ${formatDuration(horizon)}${soonest}: ${used}, ${reason}`;
  }
  return {
    time,
    eta,
    etaInterval,
    reason,
    level,
    capacity,
    ratePerHour: rate,
    rateInterval,
    method: working.method,
    cleanups: working.cleanups,
    horizon,
    summary,
  };
}
