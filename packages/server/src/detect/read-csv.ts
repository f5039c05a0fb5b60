import { toEpochMs, VigilInputError } from '@vigil/core';
import { parse } from 'csv-parse/sync';

/** A CSV file read as one time axis and numeric columns. */
export interface CsvTable {
  readonly timeColumn: string;
  readonly timestamps: Float64Array;
  /** Numeric columns by header; empty or non-numeric cells are NaN. */
  readonly columns: ReadonlyMap<string, Float64Array>;
  /** Rows skipped because their time could not be read. */
  readonly skippedRows: number;
}

/**
 * Reads a CSV file (RFC 4180 through `csv-parse`: quoted fields and headers, a byte-order mark, CRLF or LF) whose
 * first row names the columns. The time column (default the first) holds epoch milliseconds or ISO-8601 text; rows
 * are sorted by time, and every other column that holds numbers becomes a series.
 *
 * @throws {VigilInputError} `CSV_PARSE` for text that is not CSV (with its line), a missing time column, or no
 *   numeric column.
 * @example
 * const table = readCsv('time,"cpu, %"\n2026-01-01T00:00:00Z,12\n');
 */
export function readCsv(text: string, options: { timeColumn?: string } = {}): CsvTable {
  let rows: string[][];
  try {
    rows = parse(text, {
      bom: true,
      skip_empty_lines: true,
      relax_column_count: false,
      trim: true,
    }) as string[][];
  } catch (e) {
    throw new VigilInputError('CSV_PARSE', `Not valid CSV: ${(e as Error).message}`, 'csv');
  }
  if (rows.length < 2)
    throw new VigilInputError('CSV_PARSE', 'The CSV needs a header row and at least one data row.', 'csv');
  const header = rows[0];
  const timeIndex = options.timeColumn === undefined ? 0 : header.indexOf(options.timeColumn);
  if (timeIndex < 0)
    throw new VigilInputError(
      'CSV_PARSE',
      `No column named '${options.timeColumn}' for --time; the columns are ${header.map((h) => `'${h}'`).join(', ')}.`,
      'time',
    );
  const data: Array<{ t: number; row: string[] }> = [];
  let skippedRows = 0;
  for (const row of rows.slice(1)) {
    const cell = row[timeIndex];
    const t = /^-?\d+(\.\d+)?$/.test(cell) ? Number(cell) : toEpochMs(cell);
    if (Number.isFinite(t)) data.push({ t, row });
    else skippedRows++;
  }
  data.sort((a, b) => a.t - b.t);
  const timestamps = Float64Array.from(data, (d) => d.t);
  const columns = new Map<string, Float64Array>();
  header.forEach((name, j) => {
    if (j === timeIndex) return;
    const values = Float64Array.from(data, (d) => (d.row[j] === '' ? Number.NaN : Number(d.row[j])));
    if (values.some((v) => Number.isFinite(v))) columns.set(name, values);
  });
  if (columns.size === 0)
    throw new VigilInputError(
      'CSV_PARSE',
      'No column besides the time holds numbers: nothing to detect on.',
      'csv',
    );
  return { timeColumn: header[timeIndex], timestamps, columns, skippedRows };
}
