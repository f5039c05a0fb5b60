import { VigilInputError } from '@vigil/core';
import { fromBase64, toBase64 } from './flat-forest.js';

/** Serialised {@link RecentRows}: capacity, width, fill and the column-major ring as base64. */
export interface RecentRowsState {
  readonly capacity: number;
  readonly width: number;
  readonly count: number;
  readonly next: number;
  readonly data: string;
}

/**
 * A bounded ring of the most recent feature rows, stored column-major so that a forest can be regrown and its
 * calibration refitted from it without copying. Once full, each new row replaces the oldest.
 */
export class RecentRows {
  readonly capacity: number;
  readonly width: number;
  readonly #data: Float64Array;
  /** One view per feature column over the ring (slots ≥ count are unused until the ring fills). */
  readonly columns: readonly Float64Array[];
  #count = 0;
  #next = 0;

  constructor(capacity: number, width: number, data = new Float64Array(capacity * width)) {
    this.capacity = capacity;
    this.width = width;
    this.#data = data;
    this.columns = Array.from({ length: width }, (_, j) => data.subarray(j * capacity, (j + 1) * capacity));
  }

  /** Rows held (≤ capacity). */
  get count(): number {
    return this.#count;
  }

  /** Appends a row of `width` values, evicting the oldest when full. */
  push(row: ArrayLike<number>): void {
    for (let j = 0; j < this.width; j++) this.columns[j][this.#next] = row[j];
    this.#next = (this.#next + 1) % this.capacity;
    if (this.#count < this.capacity) this.#count++;
  }

  /** Copies held row `index` (0 ≤ index < count, in storage order) into `out` at `offset`. */
  readonly read = (index: number, out: Float64Array, offset: number): void => {
    for (let j = 0; j < this.width; j++) out[offset + j] = this.columns[j][index];
  };

  /** The serialisable state. */
  toJSON(): RecentRowsState {
    return {
      capacity: this.capacity,
      width: this.width,
      count: this.#count,
      next: this.#next,
      data: toBase64(this.#data),
    };
  }

  /**
   * Restores the state written by {@link RecentRows.toJSON}.
   * @throws {VigilInputError} `INVALID_SNAPSHOT` when it is malformed.
   */
  static fromJSON(state: RecentRowsState): RecentRows {
    const ints =
      state &&
      [state.capacity, state.width, state.count, state.next].every((v) => Number.isInteger(v) && v >= 0);
    const data =
      ints && typeof state.data === 'string' ? new Float64Array(fromBase64(state.data, 8)) : undefined;
    if (
      !data ||
      data.length !== state.capacity * state.width ||
      state.count > state.capacity ||
      state.next >= state.capacity
    ) {
      throw new VigilInputError('INVALID_SNAPSHOT', 'Malformed recent-rows state.', 'state.stream.recent');
    }
    const r = new RecentRows(state.capacity, state.width, data);
    r.#count = state.count;
    r.#next = state.next;
    return r;
  }
}
