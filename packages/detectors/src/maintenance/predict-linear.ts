import { checkNumberOption, type SeriesLike, toSeries } from '@vigil/core';

/** Least-squares line of a window, as Prometheus fits it. */
export interface LinearFit {
  /** Value of the line at the evaluation time (the last timestamp). */
  readonly value: number;
  /** Rate in value units per millisecond. */
  readonly slope: number;
  /** Samples in the window. */
  readonly samples: number;
}

/**
 * Prometheus's `predict_linear(v[window], 0)` at the last timestamp: ordinary least squares of the non-missing
 * samples in `(tEnd − window, tEnd]`, evaluated at `tEnd`. The baseline the maintenance functions are compared
 * with. Returns NaN values with fewer than 2 samples in the window.
 *
 * @param window - range of the range vector, ms.
 * @throws {VigilInputError} as `toSeries`; `INVALID_OPTION` for a non-positive window.
 * @example
 * linearFit({ timestamps: [0, 1000, 2000], values: [1, 2, 3] }, 5000); // { value: 3, slope: 0.001, samples: 3 }
 */
export function linearFit(input: SeriesLike, window: number): LinearFit {
  checkNumberOption('window', window, { min: 0, exclusiveMin: true });
  const { timestamps, values } = toSeries(input);
  const tEnd = timestamps[timestamps.length - 1];
  let n = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (let i = timestamps.length - 1; i >= 0 && timestamps[i] > tEnd - window; i--) {
    const y = values[i];
    if (Number.isNaN(y)) continue;
    const x = timestamps[i] - tEnd;
    n++;
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  const denominator = n * sxx - sx * sx;
  if (n < 2 || denominator === 0) return { value: Number.NaN, slope: Number.NaN, samples: n };
  const slope = (n * sxy - sx * sy) / denominator;
  return { value: (sy - slope * sx) / n, slope, samples: n };
}

/**
 * Time until `capacity` by `predict_linear`: (capacity − value)/slope from {@link linearFit}, in ms; 0 when the
 * line is already at capacity; null when the slope is not positive (Prometheus alerts would not fire).
 *
 * @example
 * predictLinearEta({ timestamps: [0, 1000, 2000], values: [1, 2, 3] }, 5000, 10); // 7000
 */
export function predictLinearEta(input: SeriesLike, window: number, capacity: number): number | null {
  const fit = linearFit(input, window);
  if (fit.value >= capacity) return 0;
  if (!(fit.slope > 0)) return null;
  return (capacity - fit.value) / fit.slope;
}
