/** Seeded synthetic data and ranking metrics shared by the isolation-forest tests and its benchmark. */
import { createRng } from '@vigil/core';

/** A frame of normal rows from a Gaussian mixture with `outlierFraction` planted outliers, and their labels. */
export interface PlantedData {
  readonly timestamps: Float64Array;
  readonly columns: string[];
  readonly values: Float64Array[];
  /** 1 for a planted outlier. */
  readonly labels: Uint8Array;
}

/**
 * Rows from `clusters` spherical Gaussians (centres uniform in [−5, 5]^d, standard deviations in [0.5, 1]); a
 * fraction of rows is replaced by outliers uniform in [−10, 10]^d that lie more than 4 standard deviations from
 * every centre.
 */
export function plantedOutliers(options: {
  n: number;
  d: number;
  outlierFraction?: number;
  clusters?: number;
  seed?: number;
  /** Seed of the rows alone: the same `seed` with another `drawSeed` gives fresh rows of the same mixture. */
  drawSeed?: number;
}): PlantedData {
  const { n, d, outlierFraction = 0.01, clusters = 3, seed = 1 } = options;
  const mixture = createRng(seed);
  const centres = Array.from({ length: clusters }, () =>
    Array.from({ length: d }, () => -5 + 10 * mixture.next()),
  );
  const sds = Array.from({ length: clusters }, () => 0.5 + 0.5 * mixture.next());
  const rng = options.drawSeed === undefined ? mixture : createRng(options.drawSeed);
  const values = Array.from({ length: d }, () => new Float64Array(n));
  const labels = new Uint8Array(n);
  const nOut = Math.round(n * outlierFraction);
  const order = rng.shuffle(Int32Array.from({ length: n }, (_, i) => i));
  for (let k = 0; k < nOut; k++) labels[order[k]] = 1;
  const x = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    if (labels[i]) {
      let far = false;
      while (!far) {
        for (let j = 0; j < d; j++) x[j] = -10 + 20 * rng.next();
        far = centres.every((c, k) => Math.hypot(...c.map((cj, j) => x[j] - cj)) > 4 * sds[k]);
      }
    } else {
      const k = rng.int(clusters);
      for (let j = 0; j < d; j++) x[j] = centres[k][j] + sds[k] * rng.normal();
    }
    for (let j = 0; j < d; j++) values[j][i] = x[j];
  }
  const timestamps = Float64Array.from({ length: n }, (_, i) => i * 1000);
  return { timestamps, columns: Array.from({ length: d }, (_, j) => `x${j}`), values, labels };
}

/** Row-major copy of column-major values. */
export function toRows(values: readonly ArrayLike<number>[]): number[][] {
  const n = values[0].length;
  return Array.from({ length: n }, (_, i) => values.map((col) => col[i]));
}

/** Ranks 1…n with ties given their average rank. */
export function ranks(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a] - x[b]);
  const r = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && x[order[j + 1]] === x[order[i]]) j++;
    for (let k = i; k <= j; k++) r[order[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}

/** Area under the ROC curve of `scores` for binary `labels` (Mann–Whitney U / (n₁ n₀), ties count one half). */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const r = ranks(scores);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i]) {
      pos++;
      rankSum += r[i];
    }
  }
  const neg = labels.length - pos;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Spearman's rank correlation (Pearson correlation of average ranks). */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const ra = ranks(a);
  const rb = ranks(b);
  const n = ra.length;
  const mean = (n + 1) / 2;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (ra[i] - mean) * (rb[i] - mean);
    saa += (ra[i] - mean) ** 2;
    sbb += (rb[i] - mean) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}
