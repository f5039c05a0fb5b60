/**
 * The baseline most teams start from: a fixed alert band set from history — here the 0.1% and 99.9% training
 * quantiles widened by 10% of their distance. Its score is the distance from the band's middle in half-band units,
 * so it flags at 1.2 and can be swept for equal-recall comparisons.
 */
import { quantileSorted, type Scores, type SeriesLike, toSeries } from '@vigil/core';

export class StaticThreshold {
  readonly kind = 'static-threshold';
  readonly threshold = 1.2;
  #mid = 0;
  #half = 1;

  async fit(train: SeriesLike): Promise<void> {
    const v = [...toSeries(train).values].filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
    const lo = quantileSorted(v, 0.001);
    const hi = quantileSorted(v, 0.999);
    this.#mid = (lo + hi) / 2;
    this.#half = Math.max((hi - lo) / 2, 1e-9);
  }

  async score(data: SeriesLike): Promise<Scores> {
    const s = toSeries(data);
    const score = Float64Array.from(s.values, (x) =>
      Number.isNaN(x) ? 0 : Math.abs(x - this.#mid) / this.#half,
    );
    return { score, isAnomaly: Uint8Array.from(score, (x) => (x >= this.threshold ? 1 : 0)) };
  }
}
