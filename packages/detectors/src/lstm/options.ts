import { checkNumberOption, thresholdForFalsePositiveRate, VigilInputError } from '@vigil/core';
import type { LstmBackend } from './backend.js';

/** Options of {@link LstmDetector}; every field has a default. */
export interface LstmDetectorOptions {
  /** Input window: past points the network sees per forecast (Telemanom's `l_s`). Default 32. */
  window?: number;
  /** Points forecast per window (Telemanom's `n_predictions`); a point's forecast is the mean of the up to
   * `horizon` forecasts made for it. Default 1. */
  horizon?: number;
  /** LSTM cells per layer. Default 32. */
  units?: number;
  /** Stacked LSTM layers. Default 1. */
  layers?: number;
  /** Most training epochs. Default 50. */
  epochs?: number;
  /** Windows per gradient step. Default 64. */
  batchSize?: number;
  /** Adam learning rate. Default 0.005. */
  learningRate?: number;
  /** Fraction of training windows (the most recent) held out for early stopping, in [0, 0.5]. Default 0.2. */
  validationSplit?: number;
  /** Epochs without validation improvement before training stops (Keras' `patience`). Default 5. */
  patience?: number;
  /** Smallest validation-loss decrease that counts as an improvement (Keras' `min_delta`). Default 0. */
  minDelta?: number;
  /** Span, in points, of the exponentially weighted average of prediction errors (Telemanom's error smoothing);
   * 1 scores each error alone, longer spans catch slow drifts sooner and single spikes later. Default 8. */
  errorSmoothing?: number;
  /** Feed the forecast instead of a flagged value to the windows after it, so one anomaly does not echo through the
   * next `window` forecasts; a lasting shift then stays flagged until you refit. Default true. */
  replaceAnomalies?: boolean;
  /** False-positive rate on normal data that sets the default threshold `1 − targetFpr`. Default 1e-3. */
  targetFpr?: number;
  /** Explicit score threshold in (0, 1]; overrides `targetFpr`. */
  threshold?: number;
  /** Seed of weight initialisation and batch shuffling. Default 0. */
  seed?: number;
  /** TensorFlow.js backend: `'auto'` (tfjs-node, else WASM, else CPU) or one forced. Default `'auto'`. */
  backend?: LstmBackend;
}

/** {@link LstmDetectorOptions} with every default filled in, as stored in snapshots. */
export type ResolvedLstmOptions = Required<Omit<LstmDetectorOptions, 'threshold'>> & { threshold: number };

const BACKENDS: readonly LstmBackend[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

/**
 * Checks options and fills in defaults.
 *
 * @throws {VigilInputError} `INVALID_OPTION` naming the field, its allowed range and the value received.
 */
export function resolveLstmOptions(options: LstmDetectorOptions = {}): ResolvedLstmOptions {
  if (options === null || typeof options !== 'object') {
    throw new VigilInputError(
      'INVALID_OPTION',
      'LstmDetector options must be an object, e.g. { window: 32 }.',
      'options',
    );
  }
  const int = (field: keyof LstmDetectorOptions, fallback: number, min: number, max: number) =>
    checkNumberOption(`options.${field}`, options[field] ?? fallback, { min, max, integer: true });
  const targetFpr = checkNumberOption('options.targetFpr', options.targetFpr ?? 1e-3, {
    min: 0,
    max: 1,
    exclusiveMin: true,
    exclusiveMax: true,
  });
  const threshold =
    options.threshold === undefined
      ? thresholdForFalsePositiveRate(targetFpr)
      : checkNumberOption('options.threshold', options.threshold, { min: 0, max: 1, exclusiveMin: true });
  const backend = options.backend ?? 'auto';
  if (!BACKENDS.includes(backend)) {
    throw new VigilInputError(
      'INVALID_OPTION',
      `options.backend must be one of ${BACKENDS.map((b) => `'${b}'`).join(', ')}; got ${String(backend)}.`,
      'options.backend',
    );
  }
  const replaceAnomalies = options.replaceAnomalies ?? true;
  if (typeof replaceAnomalies !== 'boolean') {
    throw new VigilInputError(
      'INVALID_OPTION',
      `options.replaceAnomalies must be true or false; got ${String(replaceAnomalies)}.`,
      'options.replaceAnomalies',
    );
  }
  return {
    window: int('window', 32, 2, 4096),
    horizon: int('horizon', 1, 1, 512),
    units: int('units', 32, 1, 1024),
    layers: int('layers', 1, 1, 8),
    epochs: int('epochs', 50, 1, 100_000),
    batchSize: int('batchSize', 64, 1, 65_536),
    learningRate: checkNumberOption('options.learningRate', options.learningRate ?? 0.005, {
      min: 0,
      max: 1,
      exclusiveMin: true,
    }),
    validationSplit: checkNumberOption('options.validationSplit', options.validationSplit ?? 0.2, {
      min: 0,
      max: 0.5,
    }),
    patience: int('patience', 5, 1, 100_000),
    minDelta: checkNumberOption('options.minDelta', options.minDelta ?? 0, { min: 0 }),
    errorSmoothing: checkNumberOption('options.errorSmoothing', options.errorSmoothing ?? 8, {
      min: 1,
      max: 1e6,
    }),
    replaceAnomalies,
    targetFpr,
    threshold,
    seed: checkNumberOption('options.seed', options.seed ?? 0, {
      integer: true,
      min: -(2 ** 31),
      max: 2 ** 32 - 1,
    }),
    backend,
  };
}
