import { VigilInputError } from '../errors.js';

/**
 * What to do with points that share a timestamp (real exports have them: a sample sent twice, two events logged in
 * the same second):
 * - `'last'`: keep one point with the last observed (non-NaN) value of the group — what a time-series database does
 *   when a sample is written again;
 * - `'mean'`: keep one point with the mean of the group's observed values (NaN when all are missing);
 * - `'keep'`: keep every point, in input order (batch scoring uses this, so that there is one score per point, as
 *   streaming `update` gives);
 * - `'error'`: throw `DUPLICATE_TIMESTAMPS`.
 */
export type DuplicatePolicy = 'last' | 'mean' | 'keep' | 'error';

const POLICIES: readonly DuplicatePolicy[] = ['last', 'mean', 'keep', 'error'];

/**
 * Checks a duplicate policy option.
 * @throws {VigilInputError} `INVALID_OPTION` naming the allowed values.
 */
export function checkDuplicatePolicy(policy: unknown, field = 'options.duplicates'): DuplicatePolicy {
  if (!POLICIES.includes(policy as DuplicatePolicy)) {
    throw new VigilInputError(
      'INVALID_OPTION',
      `${field} must be one of ${POLICIES.map((p) => `'${p}'`).join(', ')}; got ${String(policy)}.`,
      field,
    );
  }
  return policy as DuplicatePolicy;
}

/** True when some timestamp equals the one before it. */
export function hasRepeatedTimestamps(timestamps: ArrayLike<number>): boolean {
  for (let i = 1; i < timestamps.length; i++) if (timestamps[i] === timestamps[i - 1]) return true;
  return false;
}

/**
 * Merges each run of equal consecutive timestamps into one point, per column, by `'last'` or `'mean'` (see
 * {@link DuplicatePolicy}). Runs are found between neighbours only: order is checked afterwards by the caller, so an
 * unsorted series still fails as unsorted.
 *
 * @example
 * mergeRepeatedTimestamps([0, 0, 1000], [[1, 3, 5]], 'mean'); // { timestamps: [0, 1000], columns: [[2, 5]] }
 */
export function mergeRepeatedTimestamps(
  timestamps: ArrayLike<number>,
  columns: readonly ArrayLike<number>[],
  policy: 'last' | 'mean',
): { timestamps: Float64Array; columns: Float64Array[] } {
  const n = timestamps.length;
  let groups = n > 0 ? 1 : 0;
  for (let i = 1; i < n; i++) if (timestamps[i] !== timestamps[i - 1]) groups++;
  const outT = new Float64Array(groups);
  const outC = columns.map(() => new Float64Array(groups));
  let g = -1;
  let start = 0;
  for (let i = 0; i <= n; i++) {
    if (i < n && i > 0 && timestamps[i] === timestamps[i - 1]) continue;
    // [start, i) is one run; write it, then open the next.
    if (g >= 0) {
      for (let j = 0; j < columns.length; j++) outC[j][g] = reduceRun(columns[j], start, i, policy);
    }
    if (i === n) break;
    g++;
    outT[g] = timestamps[i];
    start = i;
  }
  return { timestamps: outT, columns: outC };
}

function reduceRun(col: ArrayLike<number>, from: number, to: number, policy: 'last' | 'mean'): number {
  if (policy === 'last') {
    for (let i = to - 1; i >= from; i--) if (!Number.isNaN(col[i])) return col[i];
    return Number.NaN;
  }
  let sum = 0;
  let count = 0;
  for (let i = from; i < to; i++) {
    if (Number.isNaN(col[i])) continue;
    sum += col[i];
    count++;
  }
  return count > 0 ? sum / count : Number.NaN;
}
