import { checkNumberOption, toEpochMs, VigilInputError, validateTimestamps } from '@vigil/core';
import type { FeatureMode, SeasonalitySpec } from './seasonality.js';
import type { Growth } from './trend.js';

/** A custom seasonality (Prophet's `add_seasonality`). */
export interface ProphetSeasonality {
  /** Name, used as the key of its curve in {@link ProphetForecast.components}. */
  readonly name: string;
  /** Period in days, e.g. 30.5 for monthly, 1/24 for hourly. */
  readonly period: number;
  /** Number of Fourier sine/cosine pairs. */
  readonly fourierOrder: number;
  /** Prior standard deviation of its coefficients. Default: the model's `seasonalityPriorScale`. */
  readonly priorScale?: number;
  /** Default: the model's `seasonalityMode`. */
  readonly mode?: FeatureMode;
}

/** A holiday or special event (one row of Prophet's `holidays` data frame, grouped by name). */
export interface ProphetHoliday {
  readonly name: string;
  /** The event's dates (epoch ms, ISO strings or Dates; the UTC day is used). */
  readonly dates: ReadonlyArray<number | string | Date>;
  /** Days before each date also affected, ≤ 0. Default 0. */
  readonly lowerWindow?: number;
  /** Days after each date also affected, ≥ 0. Default 0. */
  readonly upperWindow?: number;
  /** Default: the model's `holidaysPriorScale`. */
  readonly priorScale?: number;
  /** Default: the model's `holidaysMode`. */
  readonly mode?: FeatureMode;
}

/** An extra regressor (Prophet's `add_regressor`); its values come with the data passed to fit and predict. */
export interface ProphetRegressor {
  readonly name: string;
  /** Default: the model's `seasonalityPriorScale`. */
  readonly priorScale?: number;
  /** Standardise to mean 0, sd 1: `'auto'` (default) does so unless the regressor is binary 0/1. */
  readonly standardize?: 'auto' | boolean;
  /** Default `'additive'`. */
  readonly mode?: FeatureMode;
}

/** Options of {@link Prophet}; names and defaults are Prophet's (Python `Prophet(...)`), camelCased. */
export interface ProphetOptions {
  /** Trend model. Default `'linear'`; `'logistic'` needs `cap` in the data. */
  readonly growth?: Growth;
  /** Explicit changepoint times (epoch ms / ISO / Date) instead of the automatic grid. */
  readonly changepoints?: ReadonlyArray<number | string | Date>;
  /** Number of potential changepoints. Default 25. */
  readonly nChangepoints?: number;
  /** Fraction of the history in which changepoints are placed. Default 0.8. */
  readonly changepointRange?: number;
  /** Scale τ of the Laplace prior on the rate changes. Default 0.05. */
  readonly changepointPriorScale?: number;
  /** `'auto'` (default), on/off, or a Fourier order. Auto: on with ≥ 2 years of data. */
  readonly yearlySeasonality?: 'auto' | boolean | number;
  /** Auto: on with ≥ 2 weeks of data spaced under a week. */
  readonly weeklySeasonality?: 'auto' | boolean | number;
  /** Auto: on with ≥ 2 days of data spaced under a day. */
  readonly dailySeasonality?: 'auto' | boolean | number;
  /** Default `'additive'`. */
  readonly seasonalityMode?: FeatureMode;
  /** Prior standard deviation of seasonal coefficients. Default 10. */
  readonly seasonalityPriorScale?: number;
  /** Prior standard deviation of holiday coefficients. Default 10. */
  readonly holidaysPriorScale?: number;
  /** Default: `seasonalityMode`. */
  readonly holidaysMode?: FeatureMode;
  readonly seasonalities?: readonly ProphetSeasonality[];
  readonly holidays?: readonly ProphetHoliday[];
  readonly regressors?: readonly ProphetRegressor[];
  /** How y is scaled before fitting: by max |y| (`'absmax'`, default) or to [0, 1] (`'minmax'`). */
  readonly scaling?: 'absmax' | 'minmax';
  /** Probability mass of the `yhatLower`…`yhatUpper` interval. Default 0.8. */
  readonly intervalWidth?: number;
  /** Simulated paths for the interval beyond the history; 0 for point forecasts only. Default 1000. */
  readonly uncertaintySamples?: number;
  /** Seed of the simulation (the same seed gives the same intervals, bit for bit). Default 0. */
  readonly seed?: number;
}

/** Options after defaults, as stored in snapshots. */
export interface ResolvedProphetOptions {
  readonly growth: Growth;
  readonly changepoints: number[] | null;
  readonly nChangepoints: number;
  readonly changepointRange: number;
  readonly changepointPriorScale: number;
  readonly yearlySeasonality: 'auto' | boolean | number;
  readonly weeklySeasonality: 'auto' | boolean | number;
  readonly dailySeasonality: 'auto' | boolean | number;
  readonly seasonalityMode: FeatureMode;
  readonly seasonalityPriorScale: number;
  readonly holidaysPriorScale: number;
  readonly holidaysMode: FeatureMode;
  readonly seasonalities: SeasonalitySpec[];
  readonly holidays: Array<Required<Omit<ProphetHoliday, 'dates'>> & { dates: number[] }>;
  readonly regressors: Array<{
    name: string;
    priorScale: number;
    standardize: 'auto' | boolean;
    mode: FeatureMode;
  }>;
  readonly scaling: 'absmax' | 'minmax';
  readonly intervalWidth: number;
  readonly uncertaintySamples: number;
  readonly seed: number;
}

/** The feature modes Prophet knows. */
export const MODES: readonly FeatureMode[] = ['additive', 'multiplicative'];
/** Largest Fourier order of a seasonality (custom or built-in). */
export const MAX_FOURIER_ORDER = 100;
/** Largest holiday window, in days either side. */
export const MAX_HOLIDAY_WINDOW = 366;
/** Largest number of automatic changepoints. */
export const MAX_CHANGEPOINTS = 10_000;

/**
 * Fills in Prophet's defaults and checks every option.
 *
 * @throws {VigilInputError} `INVALID_OPTION` naming the option, the rule and the value.
 */
export function resolveProphetOptions(options: ProphetOptions): ResolvedProphetOptions {
  if (options === null || typeof options !== 'object') {
    throw new VigilInputError('INVALID_OPTION', 'Prophet options must be an object.', 'options');
  }
  const growth = options.growth ?? 'linear';
  if (!['linear', 'logistic', 'flat'].includes(growth)) {
    throw new VigilInputError(
      'INVALID_OPTION',
      `growth must be 'linear', 'logistic' or 'flat'; got ${String(growth)}.`,
      'growth',
    );
  }
  const mode = (field: string, v: unknown, fallback: FeatureMode): FeatureMode => {
    const m = v ?? fallback;
    if (!MODES.includes(m as FeatureMode)) {
      throw new VigilInputError(
        'INVALID_OPTION',
        `${field} must be 'additive' or 'multiplicative'; got ${String(v)}.`,
        field,
      );
    }
    return m as FeatureMode;
  };
  const seasonality = (field: string, v: unknown): 'auto' | boolean | number => {
    if (v === undefined) return 'auto';
    if (v === 'auto' || typeof v === 'boolean') return v;
    return checkNumberOption(field, v, { min: 1, max: MAX_FOURIER_ORDER, integer: true });
  };
  const seasonalityMode = mode('seasonalityMode', options.seasonalityMode, 'additive');
  const seasonalityPriorScale = checkNumberOption(
    'seasonalityPriorScale',
    options.seasonalityPriorScale ?? 10,
    {
      min: 0,
      exclusiveMin: true,
    },
  );
  const holidaysPriorScale = checkNumberOption('holidaysPriorScale', options.holidaysPriorScale ?? 10, {
    min: 0,
    exclusiveMin: true,
  });
  const holidaysMode = mode('holidaysMode', options.holidaysMode, seasonalityMode);
  const names = new Set<string>();
  const uniqueName = (field: string, name: unknown): string => {
    if (typeof name !== 'string' || name === '' || names.has(name)) {
      throw new VigilInputError(
        'INVALID_OPTION',
        `${field} must be a non-empty name not used by another component; got ${String(name)}.`,
        field,
      );
    }
    names.add(name);
    return name;
  };
  const seasonalities = (options.seasonalities ?? []).map((s, i) => ({
    name: uniqueName(`seasonalities[${i}].name`, s.name),
    period: checkNumberOption(`seasonalities[${i}].period`, s.period, { min: 0, exclusiveMin: true }),
    fourierOrder: checkNumberOption(`seasonalities[${i}].fourierOrder`, s.fourierOrder, {
      min: 1,
      max: MAX_FOURIER_ORDER,
      integer: true,
    }),
    priorScale: checkNumberOption(`seasonalities[${i}].priorScale`, s.priorScale ?? seasonalityPriorScale, {
      min: 0,
      exclusiveMin: true,
    }),
    mode: mode(`seasonalities[${i}].mode`, s.mode, seasonalityMode),
  }));
  for (const builtIn of ['yearly', 'weekly', 'daily']) if (!names.has(builtIn)) names.add(builtIn);
  const holidays = (options.holidays ?? []).map((h, i) => {
    const name = uniqueName(`holidays[${i}].name`, h.name);
    if (!Array.isArray(h.dates) || h.dates.length === 0) {
      throw new VigilInputError(
        'INVALID_OPTION',
        `holidays[${i}].dates must list at least one date.`,
        `holidays[${i}].dates`,
      );
    }
    const dates = h.dates.map((d, j) => {
      const msValue = toEpochMs(d);
      if (!Number.isFinite(msValue)) {
        throw new VigilInputError(
          'INVALID_OPTION',
          `holidays[${i}].dates[${j}] is not a date: ${String(d)}.`,
          `holidays[${i}].dates`,
        );
      }
      return msValue;
    });
    return {
      name,
      dates,
      lowerWindow: checkNumberOption(`holidays[${i}].lowerWindow`, h.lowerWindow ?? 0, {
        max: 0,
        min: -MAX_HOLIDAY_WINDOW,
        integer: true,
      }),
      upperWindow: checkNumberOption(`holidays[${i}].upperWindow`, h.upperWindow ?? 0, {
        min: 0,
        max: MAX_HOLIDAY_WINDOW,
        integer: true,
      }),
      priorScale: checkNumberOption(`holidays[${i}].priorScale`, h.priorScale ?? holidaysPriorScale, {
        min: 0,
        exclusiveMin: true,
      }),
      mode: mode(`holidays[${i}].mode`, h.mode, holidaysMode),
    };
  });
  const regressors = (options.regressors ?? []).map((r, i) => {
    const standardize = r.standardize ?? 'auto';
    if (standardize !== 'auto' && typeof standardize !== 'boolean') {
      throw new VigilInputError(
        'INVALID_OPTION',
        `regressors[${i}].standardize must be 'auto', true or false.`,
        `regressors[${i}].standardize`,
      );
    }
    return {
      name: uniqueName(`regressors[${i}].name`, r.name),
      priorScale: checkNumberOption(`regressors[${i}].priorScale`, r.priorScale ?? seasonalityPriorScale, {
        min: 0,
        exclusiveMin: true,
      }),
      standardize,
      mode: mode(`regressors[${i}].mode`, r.mode, 'additive'),
    };
  });
  const scaling = options.scaling ?? 'absmax';
  if (scaling !== 'absmax' && scaling !== 'minmax') {
    throw new VigilInputError(
      'INVALID_OPTION',
      `scaling must be 'absmax' or 'minmax'; got ${String(scaling)}.`,
      'scaling',
    );
  }
  let changepoints: number[] | null = null;
  if (options.changepoints !== undefined && options.changepoints !== null) {
    changepoints = options.changepoints.map((c) => toEpochMs(c));
    validateTimestamps(changepoints, 'changepoints');
  }
  return {
    growth,
    changepoints,
    nChangepoints: checkNumberOption('nChangepoints', options.nChangepoints ?? 25, {
      min: 0,
      max: MAX_CHANGEPOINTS,
      integer: true,
    }),
    changepointRange: checkNumberOption('changepointRange', options.changepointRange ?? 0.8, {
      min: 0,
      max: 1,
      exclusiveMin: true,
    }),
    changepointPriorScale: checkNumberOption('changepointPriorScale', options.changepointPriorScale ?? 0.05, {
      min: 0,
      exclusiveMin: true,
    }),
    yearlySeasonality: seasonality('yearlySeasonality', options.yearlySeasonality),
    weeklySeasonality: seasonality('weeklySeasonality', options.weeklySeasonality),
    dailySeasonality: seasonality('dailySeasonality', options.dailySeasonality),
    seasonalityMode,
    seasonalityPriorScale,
    holidaysPriorScale,
    holidaysMode,
    seasonalities,
    holidays,
    regressors,
    scaling,
    intervalWidth: checkNumberOption('intervalWidth', options.intervalWidth ?? 0.8, {
      min: 0,
      max: 1,
      exclusiveMin: true,
      exclusiveMax: true,
    }),
    uncertaintySamples: checkNumberOption('uncertaintySamples', options.uncertaintySamples ?? 1000, {
      min: 0,
      max: 100_000,
      integer: true,
    }),
    seed: checkNumberOption('seed', options.seed ?? 0, { integer: true }),
  };
}
