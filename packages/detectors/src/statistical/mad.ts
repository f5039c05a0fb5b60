import type { DetectorSnapshot } from '@vigil/core';
import {
  type LocationScale,
  type ResolvedRollingOptions,
  RollingDetector,
  type RollingOptions,
  type RollingState,
} from './rolling-detector.js';
import { medianInPlace } from './select.js';

/** Options of {@link MadDetector}. */
export type MadOptions = RollingOptions;

/** Consistency constant making the MAD estimate σ for normal data: 1 / Φ⁻¹(3/4). */
export const MAD_TO_SIGMA = 1.4826;

/** Consistency constant making the mean absolute deviation estimate σ for normal data: √(π/2). */
const MEAN_AD_TO_SIGMA = Math.sqrt(Math.PI / 2);

/**
 * Rolling median/MAD baseline (the "modified z-score", Iglewicz & Hoaglin 1993): the statistic is
 * |x − median| / (1.4826 · MAD) over the preceding `window` observed points — robust to outliers inside the window.
 * When more than half the window is identical (MAD = 0) the scale falls back to the mean absolute deviation
 * around the median times √(π/2).
 *
 * @throws {VigilInputError} `INVALID_OPTION` for bad options.
 * @example
 * const d = new MadDetector({ window: 60 });
 * await d.fit(train);
 * const { score } = await d.score(test);
 */
export class MadDetector extends RollingDetector {
  readonly kind = 'mad';

  constructor(options: MadOptions = {}) {
    super(options);
  }

  protected locationScale: LocationScale = (v, n, out) => {
    const median = medianInPlace(v, n);
    let meanAbs = 0;
    for (let i = 0; i < n; i++) {
      v[i] = Math.abs(v[i] - median);
      meanAbs += v[i];
    }
    meanAbs /= n;
    let scale = MAD_TO_SIGMA * medianInPlace(v, n);
    if (scale === 0) scale = MEAN_AD_TO_SIGMA * meanAbs;
    out[0] = median;
    // RollingDetector floors the scale relative to the data's magnitude.
    out[1] = scale;
  };

  /** Restores a detector from {@link MadDetector.toJSON} output. */
  static fromJSON(snapshot: DetectorSnapshot): MadDetector {
    const s = snapshot as DetectorSnapshot<ResolvedRollingOptions, RollingState>;
    return new MadDetector(s.options).restore(s);
  }
}
