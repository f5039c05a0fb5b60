import { checkNumberOption, thresholdForFalsePositiveRate, VigilInputError } from '@vigil/core';

/** Options of {@link IsolationForestDetector}; names follow scikit-learn's `IsolationForest` where it has one. */
export interface IsolationForestOptions {
  /** Number of trees (scikit-learn's `n_estimators`). Default 100. */
  nTrees?: number;
  /**
   * Subsample size ψ per tree: `'auto'` = min(256, rows), a fraction in (0, 1] of the rows, or an integer count > 1
   * (capped at the number of rows). Default `'auto'`.
   */
  maxSamples?: number | 'auto';
  /** Features per tree: a fraction in (0, 1] of the features (1 = all) or an integer count > 1. Default 1. */
  maxFeatures?: number;
  /**
   * Expected share of anomalies: `'auto'` keeps the threshold from `targetFpr`; a fraction in (0, 0.5] sets the
   * threshold to 1 − contamination, which flags that share of the training data. Default `'auto'`.
   */
  contamination?: 'auto' | number;
  /**
   * 0: axis-parallel splits (Liu et al. 2008); k ≥ 1: random hyperplanes over k + 1 features (Hariri et al. 2018,
   * their `ExtensionLevel`); `'full'`: over all features of a tree. Default 0.
   */
  extensionLevel?: number | 'full';
  /** False-positive rate accepted on normal data; the threshold is 1 − targetFpr. Default 1e-3. */
  targetFpr?: number;
  /** Explicit score threshold in [0, 1]; overrides `targetFpr`. */
  threshold?: number;
  /** Seed of every random choice. Default 0. */
  seed?: number;
  /** Rolling-window lengths (points) of the feature builder used for a univariate series. Default [12, 60]. */
  windows?: number[];
  /**
   * Training rows (drawn at random when there are more) whose raw scores calibrate the forest, so that fit time and
   * memory stop growing with the training set. Default 16384.
   */
  calibrationRows?: number;
  /** Rows of recent history kept by `update` to regrow the forest from. Default 2048. */
  reservoirSize?: number;
  /** `update` regrows the forest and refits its calibration after this many scored points. Default 1024. */
  refitEvery?: number;
}

/** {@link IsolationForestOptions} with every default filled in (as stored in snapshots). */
export interface ResolvedIsolationForestOptions {
  readonly nTrees: number;
  readonly maxSamples: number | 'auto';
  readonly maxFeatures: number;
  readonly contamination: 'auto' | number;
  readonly extensionLevel: number | 'full';
  readonly targetFpr: number;
  readonly threshold: number | null;
  readonly seed: number;
  readonly windows: number[];
  readonly calibrationRows: number;
  readonly reservoirSize: number;
  readonly refitEvery: number;
}

/** Fewest complete training rows a forest is grown and calibrated on. */
export const MIN_TRAIN_ROWS = 16;

/**
 * Checks options and fills defaults.
 * @throws {VigilInputError} `INVALID_OPTION` naming the option, its rule and the value received.
 */
export function resolveOptions(o: IsolationForestOptions = {}): ResolvedIsolationForestOptions {
  if (o === null || typeof o !== 'object') {
    throw new VigilInputError('INVALID_OPTION', 'options must be an object.', 'options');
  }
  const nTrees = checkNumberOption('options.nTrees', o.nTrees ?? 100, {
    min: 1,
    max: 100_000,
    integer: true,
  });
  const maxSamples = o.maxSamples ?? 'auto';
  if (maxSamples !== 'auto') countOrFraction('options.maxSamples', maxSamples);
  const maxFeatures = countOrFraction('options.maxFeatures', o.maxFeatures ?? 1);
  const contamination = o.contamination ?? 'auto';
  if (contamination !== 'auto') {
    checkNumberOption('options.contamination', contamination, { min: 0, max: 0.5, exclusiveMin: true });
  }
  const extensionLevel = o.extensionLevel ?? 0;
  if (extensionLevel !== 'full') {
    checkNumberOption('options.extensionLevel', extensionLevel, { min: 0, integer: true });
  }
  const targetFpr = o.targetFpr ?? 1e-3;
  thresholdForFalsePositiveRate(targetFpr);
  const threshold = o.threshold ?? null;
  if (threshold !== null) checkNumberOption('options.threshold', threshold, { min: 0, max: 1 });
  if (threshold !== null && contamination !== 'auto') {
    throw new VigilInputError(
      'INVALID_OPTION',
      'options.threshold and options.contamination both set the threshold; pass only one of them.',
      'options.threshold',
    );
  }
  const seed = checkNumberOption('options.seed', o.seed ?? 0, { integer: true });
  const windows = o.windows ?? [12, 60];
  if (!Array.isArray(windows)) {
    throw new VigilInputError(
      'INVALID_OPTION',
      'options.windows must be an array of window lengths.',
      'options.windows',
    );
  }
  for (let k = 0; k < windows.length; k++) {
    checkNumberOption(`options.windows[${k}]`, windows[k], { min: 2, max: 100_000, integer: true });
  }
  const calibrationRows = checkNumberOption('options.calibrationRows', o.calibrationRows ?? 16_384, {
    min: MIN_TRAIN_ROWS,
    integer: true,
  });
  const reservoirSize = checkNumberOption('options.reservoirSize', o.reservoirSize ?? 2048, {
    min: MIN_TRAIN_ROWS,
    max: 10_000_000,
    integer: true,
  });
  const refitEvery = checkNumberOption('options.refitEvery', o.refitEvery ?? 1024, { min: 1, integer: true });
  return {
    nTrees,
    maxSamples,
    maxFeatures,
    contamination,
    extensionLevel,
    targetFpr,
    threshold,
    seed,
    windows: [...windows],
    calibrationRows,
    reservoirSize,
    refitEvery,
  };
}

/** The score threshold the options imply: `threshold`, else 1 − contamination, else 1 − targetFpr. */
export function thresholdOf(o: ResolvedIsolationForestOptions): number {
  if (o.threshold !== null) return o.threshold;
  if (o.contamination !== 'auto') return 1 - o.contamination;
  return thresholdForFalsePositiveRate(o.targetFpr);
}

/** ψ for `rows` complete training rows: scikit-learn's rule, at least 2 and at most `rows`. */
export function sampleSizeFor(o: ResolvedIsolationForestOptions, rows: number): number {
  const m = o.maxSamples;
  const psi = m === 'auto' ? 256 : m <= 1 ? Math.floor(m * rows) : m;
  return Math.min(rows, Math.max(2, psi));
}

/**
 * Features per tree for `d` features.
 * @throws {VigilInputError} `INVALID_OPTION` when a count exceeds d.
 */
export function featuresPerTreeFor(o: ResolvedIsolationForestOptions, d: number): number {
  const m = o.maxFeatures;
  if (m > d) {
    throw new VigilInputError(
      'INVALID_OPTION',
      `options.maxFeatures is ${m} but the input has ${d} features; pass at most ${d} or a fraction in (0, 1].`,
      'options.maxFeatures',
    );
  }
  return m <= 1 ? Math.max(1, Math.floor(m * d)) : m;
}

/**
 * Non-zero hyperplane weights minus one for trees over `m` features.
 * @throws {VigilInputError} `INVALID_OPTION` when the level needs more features than a tree has.
 */
export function extensionLevelFor(o: ResolvedIsolationForestOptions, m: number): number {
  const e = o.extensionLevel;
  if (e === 'full') return m - 1;
  if (e > m - 1) {
    throw new VigilInputError(
      'INVALID_OPTION',
      `options.extensionLevel ${e} needs ${e + 1} features per tree but trees have ${m}; use at most ${m - 1} or 'full'.`,
      'options.extensionLevel',
    );
  }
  return e;
}

function countOrFraction(field: string, v: unknown): number {
  checkNumberOption(field, v, { min: 0, exclusiveMin: true });
  const x = v as number;
  if (x > 1 && !Number.isInteger(x)) {
    throw new VigilInputError(
      'INVALID_OPTION',
      `${field} must be a fraction in (0, 1] or an integer count > 1; got ${x}.`,
      field,
    );
  }
  return x;
}
