import { TailCalibrator, type TailCalibratorState } from '../../src/calibration/tail-calibrator.js';
import type { Detector, DetectorSnapshot, PointScore, Scores } from '../../src/detector/detector.js';
import type { SeriesLike } from '../../src/series/series.js';
import { toSeries } from '../../src/series/series.js';

/** A minimal real streaming detector for core's own tests: |x − training mean| / training s.d., calibrated. */
export class MeanDeviationDetector implements Detector<SeriesLike> {
  readonly kind = 'test-mean-deviation';
  readonly threshold = 0.999;
  fits = 0;
  #mean = 0;
  #sd = 1;
  #cal: TailCalibrator | null = null;

  get fitted() {
    return this.#cal !== null;
  }

  async fit(train: SeriesLike): Promise<void> {
    const v = [...toSeries(train).values].filter((x) => !Number.isNaN(x));
    this.#mean = v.reduce((a, b) => a + b, 0) / v.length;
    this.#sd = Math.sqrt(v.reduce((a, b) => a + (b - this.#mean) ** 2, 0) / (v.length - 1)) || 1;
    this.#cal = TailCalibrator.fit(v.map((x) => Math.abs(x - this.#mean) / this.#sd));
    this.fits++;
  }

  async score(data: SeriesLike): Promise<Scores> {
    const s = toSeries(data);
    const score = Float64Array.from(s.values, (x) => this.#cal!.score(Math.abs(x - this.#mean) / this.#sd));
    return { score, isAnomaly: Uint8Array.from(score, (x) => (x >= this.threshold ? 1 : 0)) };
  }

  update(t: number, x: number | ArrayLike<number>): PointScore {
    const v = typeof x === 'number' ? x : x[0];
    if (Number.isNaN(v)) return { t, score: 0, isAnomaly: false, status: 'missing' };
    const score = this.#cal!.score(Math.abs(v - this.#mean) / this.#sd);
    return { t, score, isAnomaly: score >= this.threshold, status: 'scored', expected: this.#mean };
  }

  toJSON(): DetectorSnapshot {
    return {
      kind: this.kind,
      version: 1,
      options: {},
      state: { mean: this.#mean, sd: this.#sd, calibrator: this.#cal?.toJSON() ?? null },
    };
  }

  /** Restores {@link toJSON}'s snapshot (register with `registerDetector('test-mean-deviation', …)`). */
  static fromJSON(snapshot: DetectorSnapshot): MeanDeviationDetector {
    const state = snapshot.state as { mean: number; sd: number; calibrator: TailCalibratorState | null };
    const d = new MeanDeviationDetector();
    d.#mean = state.mean;
    d.#sd = state.sd;
    d.#cal = state.calibrator ? TailCalibrator.fromJSON(state.calibrator) : null;
    return d;
  }
}
