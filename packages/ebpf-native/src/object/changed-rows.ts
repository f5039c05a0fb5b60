import type { MapContents } from './bpf-map.js';

/**
 * Tells, across two whole reads of a map ({@link BpfMap.readAll}), whether an entry's value bytes changed
 * since the last read: one `memcmp` of its row against its row then. A probe read every second keeps the
 * last snapshot's object for an entry that did not change, so it allocates only for what happened.
 *
 * Per read: {@link ChangedRows.begin} with the new contents, {@link ChangedRows.unchanged} for each entry
 * (by a key the caller derives, and its row), then {@link ChangedRows.end}.
 */
export class ChangedRows<K> {
  #last: MapContents | undefined;
  #lastRowOf = new Map<K, number>();
  #current: MapContents | undefined;
  #rowOf = new Map<K, number>();

  /** Starts comparing the read `rows` against the last one. */
  begin(rows: MapContents): void {
    this.#current = rows;
    this.#rowOf = new Map();
  }

  /** Whether the entry `key`, at row `row` of this read, has the same value bytes as at the last read. */
  unchanged(key: K, row: number): boolean {
    const rows = this.#current!;
    this.#rowOf.set(key, row);
    const before = this.#lastRowOf.get(key);
    if (before === undefined || !this.#last) return false;
    const s = rows.valueStride;
    return rows.values.compare(this.#last.values, before * s, (before + 1) * s, row * s, (row + 1) * s) === 0;
  }

  /** Ends this read: it becomes the last one. */
  end(): void {
    this.#last = this.#current;
    this.#lastRowOf = this.#rowOf;
    this.#current = undefined;
  }
}
