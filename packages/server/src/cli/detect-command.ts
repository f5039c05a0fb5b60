import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  AlertPolicy,
  type AnomalyEvent,
  type FitProgress,
  VigilAbortError,
  VigilInputError,
} from '@vigil/core';
import { createDetector } from '@vigil/detectors';
import { htmlReport, type ReportSeries } from '../detect/html-report.js';
import { readCsv } from '../detect/read-csv.js';

/** Options of `vigil detect`. */
export interface DetectArgs {
  time?: string;
  detector?: string;
  train?: string;
  report?: string;
}

/** The result of {@link detectCsv}: per-column series with scores and events. */
export interface DetectResult {
  readonly series: ReportSeries[];
  readonly events: AnomalyEvent[];
  readonly skippedRows: number;
}

/**
 * Batch detection on CSV text: each numeric column is fitted on its first `train` share of rows by the detector
 * (default `ensemble`), the whole column is scored, and the alert policy turns scores into events.
 *
 * Each fit reports through `options.onProgress` (with the column's name) and stops at `options.signal`.
 *
 * @throws {VigilInputError} `CSV_PARSE` for unreadable CSV; `INVALID_OPTION` for a bad `train` or detector kind.
 * @throws {VigilAbortError} `ABORTED` when `options.signal` fired during a fit.
 * @example
 * const { events } = await detectCsv(readFileSync('data.csv', 'utf8'));
 */
export async function detectCsv(
  text: string,
  options: {
    timeColumn?: string;
    detector?: string;
    train?: number;
    signal?: AbortSignal;
    onProgress?: (column: string, progress: FitProgress) => void;
  } = {},
): Promise<DetectResult> {
  const train = options.train ?? 0.5;
  if (!(train > 0 && train < 1))
    throw new VigilInputError(
      'INVALID_OPTION',
      `--train must be a fraction between 0 and 1; got ${train}.`,
      'train',
    );
  const table = readCsv(text, { timeColumn: options.timeColumn });
  const policy = new AlertPolicy();
  const series: ReportSeries[] = [];
  const events: AnomalyEvent[] = [];
  const n = table.timestamps.length;
  const trainEnd = Math.max(10, Math.floor(n * train));
  if (n <= trainEnd)
    throw new VigilInputError(
      'TOO_SHORT',
      `The CSV has ${n} rows; detection needs more than ${trainEnd}.`,
      'csv',
    );
  for (const [name, values] of table.columns) {
    const detector = createDetector(options.detector ?? 'ensemble');
    const onProgress = options.onProgress;
    await detector.fit(
      { timestamps: table.timestamps.subarray(0, trainEnd), values: values.subarray(0, trainEnd) },
      {
        signal: options.signal,
        ...(onProgress ? { onProgress: (p: FitProgress) => onProgress(name, p) } : {}),
      },
    );
    const scores = await detector.score({ timestamps: table.timestamps, values });
    const score = Float64Array.from(scores.score, (s, i) => (i < trainEnd ? Number.NaN : s));
    const found = policy.events(name, table.timestamps, score, values, scores.expected);
    events.push(...found);
    series.push({
      name,
      timestamps: table.timestamps,
      values,
      expected: scores.expected,
      lower: scores.lower,
      upper: scores.upper,
      scores: score,
      threshold: policy.threshold,
      events: found,
      trainEnd,
    });
  }
  return { series, events, skippedRows: table.skippedRows };
}

/** `vigil detect data.csv`: prints the events table and writes the HTML report. Exit code 0. */
export async function detectCommand(file: string | undefined, args: DetectArgs): Promise<number> {
  if (!file) throw new VigilInputError('INVALID_OPTION', 'Name the CSV file: vigil detect data.csv', 'file');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new VigilInputError(
      'INVALID_OPTION',
      `Cannot read ${file} (${(e as NodeJS.ErrnoException).code}).`,
      'file',
    );
  }
  const train = args.train === undefined ? undefined : Number(args.train);
  const kind = args.detector ?? 'ensemble';
  console.log(`vigil detect: fitting ${kind} on each column of ${file} … (Ctrl-C stops)`);
  // Ctrl-C stops the fit under way; a second one ends the process as usual.
  const controller = new AbortController();
  const stop = () => controller.abort(new Error('interrupted (SIGINT)'));
  process.once('SIGINT', stop);
  let result: DetectResult;
  try {
    result = await detectCsv(text, {
      timeColumn: args.time,
      detector: kind,
      train,
      signal: controller.signal,
      onProgress: progressPrinter(),
    });
  } catch (e) {
    if (!(e instanceof VigilAbortError)) throw e;
    console.log('\nvigil detect: stopped; no report written.');
    return 130;
  } finally {
    process.removeListener('SIGINT', stop);
  }
  const iso = (t: number) => new Date(t).toISOString().replace('T', ' ').slice(0, 19);
  if (result.events.length === 0) console.log('No anomaly events.');
  else
    console.table(
      result.events.map((e) => ({
        series: e.seriesKey,
        start: iso(e.start),
        end: iso(e.end),
        points: e.points,
        'peak score': Number(e.peakScore.toFixed(4)),
        observed: Number.isFinite(e.observed) ? Number(e.observed.toPrecision(5)) : '',
        expected: Number.isFinite(e.expected) ? Number(e.expected.toPrecision(5)) : '',
        severity: e.severity,
      })),
    );
  const report = resolve(args.report ?? `${file.replace(/\.csv$/i, '')}.report.html`);
  const notes =
    result.skippedRows > 0 ? [`${result.skippedRows} rows without a readable time were skipped.`] : [];
  writeFileSync(report, htmlReport(file, result.series, notes));
  console.log(`${result.series.length} series, ${result.events.length} events. Report: ${report}`);
  return 0;
}

// Prints a fit's progress once it has run for a second (a fast fit prints nothing): on a terminal one line
// rewritten in place, elsewhere a line every 5 s.
function progressPrinter(): (column: string, p: FitProgress) => void {
  const tty = process.stdout.isTTY === true;
  let column = '';
  let started = 0;
  let printed = 0;
  return (name, p) => {
    const now = Date.now();
    if (name !== column) {
      column = name;
      started = now;
      printed = now;
    }
    const done = p.fraction === 1;
    if (now - started < 1000 || (!tty && !done && now - printed < 5000)) return;
    printed = now;
    const line = `  ${name}: ${Math.round(p.fraction * 100)} % — ${p.message}`;
    if (tty) process.stdout.write(`\r\x1b[K${line}${done ? '\n' : ''}`);
    else console.log(line);
  };
}
