import type { DetectorSnapshot } from '@vigil/core';
import {
  type ResolvedRollingOptions,
  RollingDetector,
  type RollingOptions,
  type RollingState,
} from './rolling-detector.js';
import { RollingWindow } from './rolling-window.js';

/** Options of {@link ZScoreDetector}. */
export type ZScoreOptions = RollingOptions;

/**
 * Rolling z-score baseline: the statistic is |x − mean| / s over the preceding `window` observed points, with s the
 * sample standard deviation (n − 1 denominator), calibrated to [0, 1] on the training statistics.
 *
 * @throws {VigilInputError} `INVALID_OPTION` for bad options.
 * @example
 * const d = new ZScoreDetector({ window: 60 });
 * await d.fit(train);
 * const { score, isAnomaly } = await d.score(test);
 */
export class ZScoreDetector extends RollingDetector<RollingWindow> {
  readonly kind = 'zscore';

  constructor(options: ZScoreOptions = {}) {
    super(options);
  }

  protected newWindow(values: ArrayLike<number>): RollingWindow {
    return new RollingWindow(this.options.window, values);
  }

  protected locationScale(window: RollingWindow, out: Float64Array): void {
    // Sums in logical order (oldest first), so a restored window gives bit-identical statistics.
    const v = sharedScratch(window.size);
    const n = window.copyTo(v);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += v[i];
    const mean = sum / n;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const d = v[i] - mean;
      ss += d * d;
    }
    out[0] = mean;
    // RollingDetector floors the scale relative to the data's magnitude.
    out[1] = Math.sqrt(ss / (n - 1));
  }

  /** Restores a detector from {@link ZScoreDetector.toJSON} output. */
  static fromJSON(snapshot: DetectorSnapshot): ZScoreDetector {
    const s = snapshot as DetectorSnapshot<ResolvedRollingOptions, RollingState>;
    return new ZScoreDetector(s.options).restore(s);
  }
}

// One scratch buffer for every z-score detector (scoring is synchronous), grown to the largest window seen.
let scratch = new Float64Array(64);
function sharedScratch(n: number): Float64Array {
  if (scratch.length < n) scratch = new Float64Array(Math.max(n, 2 * scratch.length));
  return scratch;
}
