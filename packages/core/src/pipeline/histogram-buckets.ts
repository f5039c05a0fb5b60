/** Buckets of a histogram point as value ranges: bucket i holds `counts[i]` observations in (`lower[i]`, `upper[i]`]. */
export interface BucketRanges {
  lower: Float64Array;
  upper: Float64Array;
  counts: Float64Array;
}

/**
 * Explicit-bucket ranges of an OTLP histogram point: bucket i is (bounds[i−1], bounds[i]], the first starts at
 * `min` (or at 0 when all bounds are positive, as latencies are) and the last ends at `max` (else at the last bound).
 *
 * @example
 * explicitBuckets([10, 20], [3, 5, 2], 0, 35).upper; // Float64Array [10, 20, 35]
 */
export function explicitBuckets(
  bounds: ArrayLike<number>,
  counts: ArrayLike<number>,
  min?: number,
  max?: number,
): BucketRanges {
  const n = counts.length;
  const lower = new Float64Array(n);
  const upper = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    lower[i] = i === 0 ? Number.NEGATIVE_INFINITY : bounds[i - 1];
    upper[i] = i < bounds.length ? bounds[i] : Number.POSITIVE_INFINITY;
  }
  if (n > 0) {
    lower[0] = Number.isFinite(min)
      ? Math.min(min!, upper[0])
      : bounds.length > 0 && bounds[0] > 0
        ? 0
        : lower[0];
    if (!Number.isFinite(upper[n - 1]))
      upper[n - 1] = Number.isFinite(max) ? Math.max(max!, lower[n - 1]) : lower[n - 1];
  }
  return { lower, upper, counts: Float64Array.from(counts, Number) };
}

/** Counts of one side of an exponential histogram: bucket `offset + k` holds `counts[k]`. */
export interface ExponentialSide {
  offset: number;
  counts: number[];
}

/**
 * Exponential-bucket ranges of an OTLP exponential histogram point (OpenTelemetry data model: base = 2^(2^−scale),
 * positive bucket index i is (base^i, base^(i+1)], negative buckets mirror it, and the zero bucket holds values within
 * the zero threshold), sorted by value.
 *
 * @example
 * exponentialBuckets(0, 0, { offset: 0, counts: [1, 1] }, { offset: 0, counts: [] }).upper; // [0, 2, 4]
 */
export function exponentialBuckets(
  scale: number,
  zeroCount: number,
  positive: ExponentialSide,
  negative: ExponentialSide,
  zeroThreshold = 0,
): BucketRanges {
  const base = 2 ** (2 ** -scale);
  const lower: number[] = [];
  const upper: number[] = [];
  const counts: number[] = [];
  for (let k = negative.counts.length - 1; k >= 0; k--) {
    const i = negative.offset + k;
    lower.push(-(base ** (i + 1)));
    upper.push(-(base ** i));
    counts.push(negative.counts[k]);
  }
  lower.push(-zeroThreshold);
  upper.push(zeroThreshold);
  counts.push(zeroCount);
  for (let k = 0; k < positive.counts.length; k++) {
    const i = positive.offset + k;
    lower.push(base ** i);
    upper.push(base ** (i + 1));
    counts.push(positive.counts[k]);
  }
  return {
    lower: Float64Array.from(lower),
    upper: Float64Array.from(upper),
    counts: Float64Array.from(counts),
  };
}

/**
 * Re-expresses exponential buckets at a coarser scale (the SDK lowers the scale as the range grows): index i at
 * scale s is index i >> (s − s') at scale s'.
 *
 * @example
 * downscale({ offset: 4, counts: [1, 2, 3] }, 1); // { offset: 2, counts: [3, 3] }
 */
export function downscale(side: ExponentialSide, by: number): ExponentialSide {
  if (by <= 0 || side.counts.length === 0) return side;
  const offset = side.offset >> by;
  const last = (side.offset + side.counts.length - 1) >> by;
  const counts = new Array<number>(last - offset + 1).fill(0);
  for (let k = 0; k < side.counts.length; k++) counts[((side.offset + k) >> by) - offset] += side.counts[k];
  return { offset, counts };
}

/** `now − before` bucket by bucket on the same scale (missing buckets count 0); null when a count went down. */
export function subtractSide(now: ExponentialSide, before: ExponentialSide): ExponentialSide | null {
  const counts = now.counts.slice();
  for (let k = 0; k < before.counts.length; k++) {
    const j = before.offset + k - now.offset;
    if (before.counts[k] === 0) continue;
    if (j < 0 || j >= counts.length) return null;
    counts[j] -= before.counts[k];
    if (counts[j] < 0) return null;
  }
  return { offset: now.offset, counts };
}
