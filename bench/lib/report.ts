/** Shared output for benchmarks: a printed table and a JSON file under `bench/results/`. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

/** One row of a result table: column name → value. */
export type Row = Record<string, string | number | boolean | null>;

/** Formats rows as an aligned plain-text table (numbers to 4 significant digits). */
export function formatTable(rows: readonly Row[]): string {
  if (rows.length === 0) return '(no rows)';
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: Row[string] | undefined): string => {
    if (v === undefined || v === null) return '-';
    if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toPrecision(4);
    return String(v);
  };
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i])).join('  ');
  return [
    line(columns),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map((r) => line(columns.map((c) => cell(r[c])))),
  ].join('\n');
}

/**
 * Prints the table and writes `bench/results/<name>.json` with the rows, free-form details and the machine
 * the numbers were measured on.
 */
export function writeResult(
  name: string,
  rows: readonly Row[],
  details: Record<string, unknown> = {},
): string {
  console.log(formatTable(rows));
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${name}.json`);
  const machine = {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryBytes: totalmem(),
  };
  writeFileSync(
    file,
    `${JSON.stringify({ name, date: new Date().toISOString(), machine, rows, ...details }, null, 2)}\n`,
  );
  console.log(`wrote ${file}`);
  return file;
}

/** Wall-clock milliseconds of `fn`, best of `repeats` runs (after one warm-up when `warmup`). */
export async function timeIt(fn: () => unknown, repeats = 1, warmup = false): Promise<number> {
  if (warmup) await fn();
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

/**
 * The rows of a partial run merged into the committed ones: rows of the detectors that ran (`ran`, matched on
 * `key`) are replaced, all others kept in their order, so that re-running one detector does not erase the rest.
 */
export function mergeRows(
  previous: readonly Row[],
  fresh: readonly Row[],
  ran: ReadonlySet<string>,
  key = 'detector',
): Row[] {
  const kept = previous.filter((r) => !ran.has(String(r[key])));
  return [...kept, ...fresh];
}

/** The committed JSON of a benchmark, or null when there is none yet. */
export function readResult(name: string): Record<string, unknown> | null {
  const file = join(resultsDir, `${name}.json`);
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}
