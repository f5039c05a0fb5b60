import { checkNumberOption, VigilInputError } from '@vigil/core';
import { resolveThreshold } from '../common/threshold-option.js';

/** Options of {@link AdaptiveEnsemble}; every default is the configuration measured in `bench/nab`. */
export interface AdaptiveEnsembleOptions {
  /**
   * Points of recent history each view's distribution holds: how long the detector remembers what normal looked
   * like. Default 8640, the history length of Numenta's anomaly likelihood (30 days of 5-minute points).
   */
  memory?: number;
  /** Points between recomputations of each distribution's mean and standard deviation. Default 50. */
  refreshEvery?: number;
  /** Points averaged by the local-mean view (sustained shifts, bursts). Default 30. */
  localWindow?: number;
  /**
   * Points whose median the jump view measures a point's (deseasonalised) value from: sudden moves against the
   * immediate past. 0 turns the view off. Default 5.
   */
  jumpWindow?: number;
  /**
   * The stillness view: the mean absolute change between successive values over the last `localWindow` points,
   * judged on its low side — a sensor or exporter stuck on one value. Default true.
   */
  stillness?: boolean;
  /**
   * The seasonal view: `'auto'` finds a daily or weekly cycle in the training data by autocorrelation (it must cover
   * the period twice), `'none'` turns the view off, a number fixes the period in ms. Default `'auto'`.
   */
  seasonality?: 'auto' | 'none' | number;
  /** Autocorrelation at the period's lag that `'auto'` needs to accept a cycle. Default 0.3. */
  minAutocorrelation?: number;
  /** Previous cycles whose same-phase values make the seasonal expectation (their median). Default 3. */
  cycles?: number;
  /** Points below the threshold that close an event; alarms inside an event are suppressed. Default 10. */
  quietPoints?: number;
  /** Tail probability at which a point alarms (threshold = 1 − targetFpr). Default 1e-3, as for every detector. */
  targetFpr?: number;
  /** Explicit threshold in (0, 1); overrides `targetFpr`. */
  threshold?: number;
}

/** The resolved options as stored in snapshots. */
export interface ResolvedAdaptiveEnsembleOptions {
  readonly memory: number;
  readonly refreshEvery: number;
  readonly localWindow: number;
  readonly jumpWindow: number;
  readonly stillness: boolean;
  readonly seasonality: 'auto' | 'none' | number;
  readonly minAutocorrelation: number;
  readonly cycles: number;
  readonly quietPoints: number;
  readonly threshold: number;
}

/** Checks and completes the options. @throws {VigilInputError} `INVALID_OPTION` naming the field. */
export function resolveAdaptiveOptions(o: AdaptiveEnsembleOptions = {}): ResolvedAdaptiveEnsembleOptions {
  if (o === null || typeof o !== 'object') {
    throw new VigilInputError('INVALID_OPTION', `options must be an object; got ${String(o)}.`, 'options');
  }
  const memory = checkNumberOption('options.memory', o.memory ?? 8640, {
    min: 20,
    max: 1_000_000,
    integer: true,
  });
  const seasonality = o.seasonality ?? 'auto';
  if (
    seasonality !== 'auto' &&
    seasonality !== 'none' &&
    !(typeof seasonality === 'number' && Number.isFinite(seasonality) && seasonality > 0)
  ) {
    throw new VigilInputError(
      'INVALID_OPTION',
      `options.seasonality must be 'auto', 'none' or a period in ms > 0; got ${String(seasonality)}.`,
      'options.seasonality',
    );
  }
  return {
    memory,
    refreshEvery: checkNumberOption('options.refreshEvery', o.refreshEvery ?? 50, {
      min: 1,
      max: memory,
      integer: true,
    }),
    localWindow: checkNumberOption('options.localWindow', o.localWindow ?? 30, {
      min: 2,
      max: memory,
      integer: true,
    }),
    jumpWindow: checkNumberOption('options.jumpWindow', o.jumpWindow ?? 5, {
      min: 0,
      max: memory,
      integer: true,
    }),
    stillness: checkBoolean(o.stillness ?? true, 'options.stillness'),
    seasonality,
    minAutocorrelation: checkNumberOption('options.minAutocorrelation', o.minAutocorrelation ?? 0.3, {
      min: 0,
      max: 1,
    }),
    cycles: checkNumberOption('options.cycles', o.cycles ?? 3, { min: 1, max: 20, integer: true }),
    quietPoints: checkNumberOption('options.quietPoints', o.quietPoints ?? 10, {
      min: 0,
      max: 1_000_000,
      integer: true,
    }),
    threshold: resolveThreshold(o),
  };
}

function checkBoolean(v: unknown, field: string): boolean {
  if (typeof v !== 'boolean') {
    throw new VigilInputError('INVALID_OPTION', `${field} must be true or false; got ${String(v)}.`, field);
  }
  return v;
}
