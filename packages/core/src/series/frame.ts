import { VigilInputError } from '../errors.js';
import { checkDuplicatePolicy, hasRepeatedTimestamps, mergeRepeatedTimestamps } from './duplicates.js';
import { type Series, type SeriesLike, type SeriesOptions, toSeries } from './series.js';
import { validateTimestamps, validateValues } from './validate.js';

/**
 * A multivariate time series stored column-major: `values[j][i]` is column `columns[j]` at `timestamps[i]`.
 * Missing values are NaN.
 */
export interface Frame {
  readonly timestamps: Float64Array;
  readonly columns: readonly string[];
  readonly values: readonly Float64Array[];
}

/** Anything shaped like a {@link Frame}; `columns` defaults to `c0, c1, …`. */
export interface FrameLike {
  readonly timestamps: ArrayLike<number>;
  readonly columns?: readonly string[];
  readonly values: ArrayLike<ArrayLike<number>>;
}

/** True when `x` has the shape of a frame (values is an array of columns) rather than a series. */
export function isFrameLike(x: unknown): x is FrameLike {
  if (x === null || typeof x !== 'object') return false;
  const v = (x as { values?: unknown }).values;
  return Array.isArray(v) && (v.length === 0 || typeof v[0] === 'object');
}

/**
 * Validates a frame-shaped object and returns a {@link Frame} of `Float64Array` columns (typed arrays are not copied
 * unless points are merged). Rows that share a timestamp are merged column by column by `options.duplicates`
 * (default `'last'`; see {@link toSeries}).
 *
 * @throws {VigilInputError} `EMPTY_INPUT` (no points or no columns), `LENGTH_MISMATCH` (a column of another length
 *   or a column-name count that differs from the column count), timestamp codes as {@link toSeries}, `NON_FINITE_VALUE`,
 *   or `ALL_NAN` naming the column that has no observed value.
 * @example
 * toFrame({ timestamps: [0, 1000], columns: ['cpu', 'mem'], values: [[0.1, 0.2], [512, 520]] });
 */
export function toFrame(input: FrameLike, options: SeriesOptions = {}): Frame {
  if (input === null || typeof input !== 'object' || !input.timestamps || !input.values) {
    throw new VigilInputError(
      'EMPTY_INPUT',
      'Expected a frame as { timestamps, columns, values: [column, …] }.',
      'frame',
    );
  }
  const policy = checkDuplicatePolicy(options.duplicates ?? 'last');
  if ((policy === 'last' || policy === 'mean') && hasRepeatedTimestamps(input.timestamps)) {
    const n = input.timestamps.length;
    for (let j = 0; j < input.values.length; j++) validateValues(input.values[j], n, `values[${j}]`);
    const merged = mergeRepeatedTimestamps(input.timestamps, Array.from(input.values), policy);
    return toFrame(
      { ...input, timestamps: merged.timestamps, values: merged.columns },
      { duplicates: 'error' },
    );
  }
  validateTimestamps(input.timestamps, 'frame', policy === 'keep');
  const d = input.values.length;
  if (d === 0) {
    throw new VigilInputError(
      'EMPTY_INPUT',
      'The frame has no columns: pass at least one value column.',
      'values',
    );
  }
  const columns = input.columns ? [...input.columns] : Array.from({ length: d }, (_, j) => `c${j}`);
  if (columns.length !== d) {
    throw new VigilInputError(
      'LENGTH_MISMATCH',
      `The frame names ${columns.length} columns but has ${d} value columns; give one name per column.`,
      'columns',
    );
  }
  if (new Set(columns).size !== d) {
    throw new VigilInputError(
      'INVALID_OPTION',
      `Column names must be unique; got ${columns.join(', ')}.`,
      'columns',
    );
  }
  const n = input.timestamps.length;
  const values: Float64Array[] = [];
  for (let j = 0; j < d; j++) {
    const col = input.values[j];
    validateValues(col, n, `values[${j}] (column '${columns[j]}')`);
    values.push(col instanceof Float64Array ? col : Float64Array.from(col));
  }
  const timestamps =
    input.timestamps instanceof Float64Array ? input.timestamps : Float64Array.from(input.timestamps);
  return { timestamps, columns, values };
}

/**
 * Builds a validated frame from row-major data (`rows[i]` is the observation at `timestamps[i]`).
 *
 * @throws {VigilInputError} `RAGGED_ROWS` when rows differ in length, otherwise as {@link toFrame}.
 * @example
 * frameFromRows([0, 1000], [[0.1, 512], [0.2, 520]], ['cpu', 'mem']);
 */
export function frameFromRows(
  timestamps: ArrayLike<number>,
  rows: ArrayLike<ArrayLike<number>>,
  columns?: readonly string[],
  options: SeriesOptions = {},
): Frame {
  if (rows.length !== timestamps.length) {
    throw new VigilInputError(
      'LENGTH_MISMATCH',
      `There are ${rows.length} rows but ${timestamps.length} timestamps; give one row per timestamp.`,
      'rows',
    );
  }
  const d = rows.length > 0 ? rows[0].length : (columns?.length ?? 0);
  const values = Array.from({ length: d }, () => new Float64Array(rows.length));
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (row.length !== d) {
      throw new VigilInputError(
        'RAGGED_ROWS',
        `rows[${i}] has ${row.length} values but rows[0] has ${d}; every row needs one value per column (NaN when missing).`,
        'rows',
      );
    }
    for (let j = 0; j < d; j++) values[j][i] = row[j];
  }
  return toFrame({ timestamps, values, columns }, options);
}

/**
 * Builds a frame from named series that share one time axis.
 *
 * @throws {VigilInputError} `LENGTH_MISMATCH` when the series' timestamps differ, otherwise as {@link toFrame}.
 * @example
 * frameFromSeries({ cpu, memory });
 */
export function frameFromSeries(named: Readonly<Record<string, SeriesLike>>): Frame {
  const names = Object.keys(named);
  if (names.length === 0)
    throw new VigilInputError('EMPTY_INPUT', 'Pass at least one named series.', 'series');
  const first: Series = toSeries(named[names[0]], `series '${names[0]}'`);
  const cols: Float64Array[] = [first.values];
  for (const name of names.slice(1)) {
    const s = toSeries(named[name], `series '${name}'`);
    const same =
      s.timestamps.length === first.timestamps.length &&
      s.timestamps.every((t, i) => t === first.timestamps[i]);
    if (!same) {
      throw new VigilInputError(
        'LENGTH_MISMATCH',
        `Series '${name}' has other timestamps than '${names[0]}'; align (resample) the series onto one time axis first.`,
        name,
      );
    }
    cols.push(s.values);
  }
  return toFrame({ timestamps: first.timestamps, columns: names, values: cols });
}

/**
 * Checks that a frame passed at score time has the columns the model was fitted on, in the same order.
 *
 * @throws {VigilInputError} `COLUMN_MISMATCH` listing expected and received columns.
 */
export function assertSameColumns(expected: readonly string[], frame: Frame): void {
  const got = frame.columns;
  if (got.length !== expected.length || got.some((c, j) => c !== expected[j])) {
    throw new VigilInputError(
      'COLUMN_MISMATCH',
      `The model was fitted on ${expected.length} columns [${expected.join(', ')}] but got ${got.length} [${got.join(', ')}]; pass the same columns in the same order.`,
      'columns',
    );
  }
}
