import type { DetectorSnapshot } from '@vigil/core';
import {
  type ResolvedRollingOptions,
  RollingDetector,
  type RollingOptions,
  type RollingState,
} from './rolling-detector.js';
import { medianInPlace } from './select.js';
import { SortedWindow } from './sorted-window.js';

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
 * The window is kept sorted as points arrive (a `SortedWindow`), so a point costs a binary search and a short
 * shift, the median is read directly and the MAD is a walk over half the window — no selection over a copy.
 *
 * @throws {VigilInputError} `INVALID_OPTION` for bad options.
 * @example
 * const d = new MadDetector({ window: 60 });
 * await d.fit(train);
 * const { score } = await d.score(test);
 */
export class MadDetector extends RollingDetector<SortedWindow> {
  readonly kind = 'mad';

  constructor(options: MadOptions = {}) {
    super(options);
  }

  protected newWindow(values: ArrayLike<number>): SortedWindow {
    return new SortedWindow(this.options.window, values);
  }

  protected locationScale(window: SortedWindow, out: Float64Array): void {
    const median = window.median();
    let scale = MAD_TO_SIGMA * window.medianDeviation(median);
    if (scale === 0) scale = MEAN_AD_TO_SIGMA * meanAbsoluteDeviation(window, median);
    out[0] = median;
    // RollingDetector floors the scale relative to the data's magnitude.
    out[1] = scale;
  }

  /** Restores a detector from {@link MadDetector.toJSON} output. */
  static fromJSON(snapshot: DetectorSnapshot): MadDetector {
    const s = snapshot as DetectorSnapshot<ResolvedRollingOptions, RollingState>;
    return new MadDetector(s.options).restore(s);
  }
}

// One scratch buffer for every MAD detector (scoring is synchronous), grown to the largest window seen.
let scratch = new Float64Array(64);

/**
 * Mean of |x − median| over the window, summed in the order a quickselect for the median leaves the values in (as
 * the MAD detector always has), so that the fallback scale is the same number bit for bit. Only flat windows (MAD 0)
 * take this path.
 */
function meanAbsoluteDeviation(window: SortedWindow, median: number): number {
  if (scratch.length < window.size) scratch = new Float64Array(Math.max(window.size, 2 * scratch.length));
  const n = window.copyTo(scratch);
  medianInPlace(scratch, n);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.abs(scratch[i] - median);
  return sum / n;
}
