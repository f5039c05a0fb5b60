import { VigilInputError } from '@vigil/core';

// Per-timestamp input columns (cap, floor, regressors) of a history or a future, checked before use.

/**
 * A copy of a column with one finite value per timestamp.
 *
 * @throws {VigilInputError} `INVALID_OPTION` when missing, `LENGTH_MISMATCH`, `NON_FINITE_VALUE`.
 */
export function requiredColumn(
  values: ArrayLike<number> | undefined,
  n: number,
  field: string,
): Float64Array {
  if (!values) {
    throw new VigilInputError(
      'INVALID_OPTION',
      field === 'cap'
        ? "growth 'logistic' needs a capacity: pass cap (one value per timestamp) with the data."
        : `${field} is required here: pass one value per timestamp.`,
      field,
    );
  }
  if (values.length !== n) {
    throw new VigilInputError(
      'LENGTH_MISMATCH',
      `${field} has ${values.length} entries for ${n} timestamps; give one per timestamp.`,
      field,
    );
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(values[i])) {
      throw new VigilInputError(
        'NON_FINITE_VALUE',
        `${field}[${i}] is ${values[i]}; it must be a finite number.`,
        field,
      );
    }
  }
  return Float64Array.from(values);
}

/**
 * The values of regressor `name`, checked as {@link requiredColumn}.
 *
 * @throws {VigilInputError} `INVALID_OPTION` when the regressor has no values; as {@link requiredColumn}.
 */
export function requiredRegressor(
  regressors: Readonly<Record<string, ArrayLike<number>>> | undefined,
  name: string,
  n: number,
): Float64Array {
  const values = regressors && Object.hasOwn(regressors, name) ? regressors[name] : undefined;
  if (!values) {
    throw new VigilInputError(
      'INVALID_OPTION',
      `Regressor '${name}' has no values: pass regressors.${name} with the data.`,
      `regressors.${name}`,
    );
  }
  return requiredColumn(values, n, `regressors.${name}`);
}

/** The entries of `values` at the indices `keep`. */
export function pick(values: Float64Array, keep: readonly number[]): Float64Array {
  return Float64Array.from(keep, (i) => values[i]);
}
