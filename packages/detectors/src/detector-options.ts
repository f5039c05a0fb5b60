import type { AdaptiveEnsemble } from './adaptive/adaptive-ensemble.js';
import type { AdaptiveEnsembleOptions } from './adaptive/options.js';
import type { EnsembleDetector, EnsembleOptions } from './ensemble/ensemble.js';
import type { IsolationForestDetector } from './isolation-forest/detector.js';
import type { IsolationForestOptions } from './isolation-forest/options.js';
import type { LstmDetector } from './lstm/detector.js';
import type { LstmDetectorOptions } from './lstm/options.js';
import type { ProphetDetector, ProphetDetectorOptions } from './prophet/detector.js';
import type { MadDetector, MadOptions } from './statistical/mad.js';
import type { ZScoreDetector, ZScoreOptions } from './statistical/zscore.js';

/**
 * The options of each built-in detector kind, so that `createDetector(kind, options)` checks and completes option
 * names. `'ensemble'` takes the default `AdaptiveEnsemble`'s options, or `members`/`combine` for the combining
 * `EnsembleDetector`.
 */
export interface DetectorOptionsMap {
  zscore: ZScoreOptions;
  mad: MadOptions;
  'isolation-forest': IsolationForestOptions;
  prophet: ProphetDetectorOptions;
  lstm: LstmDetectorOptions;
  ensemble: AdaptiveEnsembleOptions | EnsembleOptions;
}

/** The class `createDetector(kind)` returns for each built-in kind. */
export interface DetectorTypeMap {
  zscore: ZScoreDetector;
  mad: MadDetector;
  'isolation-forest': IsolationForestDetector;
  prophet: ProphetDetector;
  lstm: LstmDetector;
  ensemble: AdaptiveEnsemble | EnsembleDetector;
}

/** A built-in detector kind. */
export type DetectorKind = keyof DetectorOptionsMap;

// Every key of T, each exactly once: the compiler rejects a missing or an extra one, so these lists cannot drift
// from the option interfaces.
function names<T>(keys: { readonly [K in keyof Required<T>]: true }): readonly string[] {
  return Object.keys(keys);
}

const rolling = names<ZScoreOptions>({
  window: true,
  minPeriods: true,
  targetFpr: true,
  threshold: true,
  calibration: true,
  direction: true,
});

const adaptiveEnsemble = names<AdaptiveEnsembleOptions>({
  memory: true,
  refreshEvery: true,
  localWindow: true,
  jumpWindow: true,
  stillness: true,
  seasonality: true,
  minAutocorrelation: true,
  cycles: true,
  quietPoints: true,
  targetFpr: true,
  threshold: true,
});

const combiningEnsemble = names<EnsembleOptions>({
  members: true,
  combine: true,
  calibrationShare: true,
  targetFpr: true,
  threshold: true,
  calibration: true,
});

/** True when `'ensemble'` options ask for the combining `EnsembleDetector` rather than the `AdaptiveEnsemble`. */
export function wantsCombiningEnsemble(options: object | undefined): options is EnsembleOptions {
  return options !== undefined && options !== null && ('members' in options || 'combine' in options);
}

/** The option names each built-in kind accepts (unknown keys are `INVALID_OPTION`). */
export const OPTION_NAMES: {
  readonly [K in DetectorKind]: readonly string[] | ((o: object) => readonly string[]);
} = {
  zscore: rolling,
  mad: names<MadOptions>({
    window: true,
    minPeriods: true,
    targetFpr: true,
    threshold: true,
    calibration: true,
    direction: true,
  }),
  'isolation-forest': names<IsolationForestOptions>({
    nTrees: true,
    maxSamples: true,
    maxFeatures: true,
    contamination: true,
    extensionLevel: true,
    targetFpr: true,
    threshold: true,
    seed: true,
    windows: true,
    calibrationRows: true,
    reservoirSize: true,
    refitEvery: true,
  }),
  prophet: names<ProphetDetectorOptions>({
    growth: true,
    changepoints: true,
    nChangepoints: true,
    changepointRange: true,
    changepointPriorScale: true,
    yearlySeasonality: true,
    weeklySeasonality: true,
    dailySeasonality: true,
    seasonalityMode: true,
    seasonalityPriorScale: true,
    holidaysPriorScale: true,
    holidaysMode: true,
    seasonalities: true,
    holidays: true,
    scaling: true,
    intervalWidth: true,
    uncertaintySamples: true,
    seed: true,
    targetFpr: true,
    threshold: true,
    cap: true,
    floor: true,
    refitEvery: true,
    maxHistory: true,
    adaptAfter: true,
  }),
  lstm: names<LstmDetectorOptions>({
    window: true,
    horizon: true,
    units: true,
    layers: true,
    epochs: true,
    batchSize: true,
    learningRate: true,
    validationSplit: true,
    patience: true,
    minDelta: true,
    errorSmoothing: true,
    replaceAnomalies: true,
    targetFpr: true,
    threshold: true,
    seed: true,
    backend: true,
  }),
  ensemble: (o) => (wantsCombiningEnsemble(o) ? combiningEnsemble : adaptiveEnsemble),
};
