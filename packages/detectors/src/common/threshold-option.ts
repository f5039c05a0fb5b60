import { checkNumberOption, thresholdForFalsePositiveRate } from '@vigil/core';

/**
 * A detector's score threshold from its options: an explicit `threshold` in (0, 1), else `1 − targetFpr` (the
 * false-positive rate on normal data the detector's calibration stands for), else `1 − defaultFpr`.
 *
 * @throws {VigilInputError} `INVALID_OPTION` naming `options.threshold` or `targetFpr`.
 * @example
 * resolveThreshold({ targetFpr: 1e-4 }); // 0.9999
 */
export function resolveThreshold(o: { threshold?: number; targetFpr?: number }, defaultFpr = 1e-3): number {
  return o.threshold !== undefined
    ? checkNumberOption('options.threshold', o.threshold, {
        min: 0,
        max: 1,
        exclusiveMin: true,
        exclusiveMax: true,
      })
    : thresholdForFalsePositiveRate(o.targetFpr ?? defaultFpr);
}
