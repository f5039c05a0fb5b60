import { VigilInputError } from '../errors.js';
import { type Frame, toFrame } from './frame.js';
import { type Series, type SeriesOptions, toEpochMs, toSeries } from './series.js';

/** Options for reading CSV text (and `duplicates`, for rows that share a timestamp; default `'last'`). */
export interface CsvOptions extends SeriesOptions {
  /** Name or 0-based index of the time column (epoch ms or ISO dates). Default: the first column. */
  timeColumn?: string | number;
  /** Field separator. Default `','`. */
  delimiter?: string;
}

interface ParsedCsv {
  header: string[];
  rows: string[][];
}

function parseCsv(text: string, delimiter: string): ParsedCsv {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.startsWith('#'));
  if (lines.length < 2) {
    throw new VigilInputError('CSV_PARSE', 'CSV text needs a header line and at least one data line.', 'csv');
  }
  const split = (l: string) => l.split(delimiter).map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
  const header = split(lines[0]);
  const rows = lines.slice(1).map(split);
  rows.forEach((r, i) => {
    if (r.length !== header.length) {
      throw new VigilInputError(
        'CSV_PARSE',
        `CSV line ${i + 2} has ${r.length} fields but the header has ${header.length}.`,
        'csv',
      );
    }
  });
  return { header, rows };
}

function columnIndex(
  header: string[],
  col: string | number | undefined,
  fallback: number,
  what: string,
): number {
  if (col === undefined) return fallback;
  const idx = typeof col === 'number' ? col : header.indexOf(col);
  if (idx < 0 || idx >= header.length) {
    throw new VigilInputError(
      'CSV_PARSE',
      `CSV has no ${what} column ${JSON.stringify(col)}; its columns are ${header.join(', ')}.`,
      what,
    );
  }
  return idx;
}

function parseCell(cell: string, line: number, column: string): number {
  if (cell === '' || /^(nan|null|na)$/i.test(cell)) return Number.NaN;
  const v = Number(cell);
  if (Number.isNaN(v)) {
    throw new VigilInputError(
      'CSV_PARSE',
      `CSV line ${line}, column '${column}': '${cell}' is not a number.`,
      column,
    );
  }
  return v;
}

function parseTimes(rows: string[][], ti: number): Float64Array {
  return Float64Array.from(rows, (r, i) => {
    const t = toEpochMs(r[ti]);
    if (Number.isNaN(t)) {
      throw new VigilInputError(
        'CSV_PARSE',
        `CSV line ${i + 2}: '${r[ti]}' is neither epoch ms nor a date.`,
        'time',
      );
    }
    return t;
  });
}

/**
 * Reads a series from CSV text with a header line; empty, `NaN`, `null` or `NA` cells are missing values.
 *
 * @param options.valueColumn - name or index of the value column; default: the first column that is not the time column.
 * @throws {VigilInputError} `CSV_PARSE` for unreadable text, otherwise as {@link toSeries}.
 * @example
 * seriesFromCsv('time,cpu\n2026-01-01T00:00:00Z,0.4\n2026-01-01T00:05:00Z,0.5');
 */
export function seriesFromCsv(
  text: string,
  options: CsvOptions & { valueColumn?: string | number } = {},
): Series {
  const { header, rows } = parseCsv(text, options.delimiter ?? ',');
  const ti = columnIndex(header, options.timeColumn, 0, 'time');
  const vi = columnIndex(header, options.valueColumn, ti === 0 ? 1 : 0, 'value');
  const values = Float64Array.from(rows, (r, i) => parseCell(r[vi], i + 2, header[vi]));
  return toSeries({ timestamps: parseTimes(rows, ti), values }, 'series', options);
}

/**
 * Reads a frame from CSV text: one time column, every other column a value column.
 *
 * @throws {VigilInputError} `CSV_PARSE` for unreadable text, otherwise as {@link toFrame}.
 * @example
 * frameFromCsv('t,cpu,mem\n0,0.4,512\n60000,0.5,530');
 */
export function frameFromCsv(text: string, options: CsvOptions = {}): Frame {
  const { header, rows } = parseCsv(text, options.delimiter ?? ',');
  const ti = columnIndex(header, options.timeColumn, 0, 'time');
  const columns = header.filter((_, j) => j !== ti);
  const values: Float64Array[] = [];
  header.forEach((name, j) => {
    if (j !== ti) values.push(Float64Array.from(rows, (r, i) => parseCell(r[j], i + 2, name)));
  });
  return toFrame({ timestamps: parseTimes(rows, ti), columns, values }, options);
}
