/**
 * Shared output for benchmarks: progress lines as they run, a printed table, and a JSON file — under
 * `bench/results/` (the committed results) only when asked with `--write`, else in a scratch folder.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const committedDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

/**
 * True when this run replaces the committed results: `npm run bench -- --write [NAME…]` (bench/run.ts passes it
 * on as `VIGIL_BENCH_WRITE=1`), or `--write` given to one benchmark's main.ts. Otherwise results go to
 * {@link resultsDir} in the system's temporary folder and the committed ones stay as they are.
 */
export const writeCommitted = process.env.VIGIL_BENCH_WRITE === '1' || process.argv.includes('--write');

/** Where this run writes its results: `bench/results/` with {@link writeCommitted}, else `$TMPDIR/vigil-bench/`. */
export const resultsDir = writeCommitted ? committedDir : join(tmpdir(), 'vigil-bench');

/** Path of a result file (`accuracy.html`, …) of this run, in {@link resultsDir}; the folder exists. */
export function resultPath(file: string): string {
  mkdirSync(resultsDir, { recursive: true });
  return join(resultsDir, file);
}

const started = performance.now();
// bench/<name>/main.ts is the entry point of every benchmark.
const benchName = basename(dirname(process.argv[1] ?? 'bench/unknown/main.ts'));

/**
 * Prints one progress line at once, prefixed with the benchmark and the seconds since it started, so that a long
 * run shows where it is: `[bench/prophet 12.4 s] 1 year: fit 337 ms`.
 */
export function progress(message: string): void {
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(`[bench/${benchName} ${seconds} s] ${message}\n`);
}

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
 * Prints the table and writes `<name>.json` with the rows, free-form details and the machine the numbers were
 * measured on, to `bench/results/` with {@link writeCommitted} and to the scratch {@link resultsDir} otherwise.
 */
export function writeResult(
  name: string,
  rows: readonly Row[],
  details: Record<string, unknown> = {},
): string {
  console.log(formatTable(rows));
  const file = resultPath(`${name}.json`);
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
  console.log(
    writeCommitted
      ? `wrote ${file}`
      : `wrote ${file} (the committed bench/results/${name}.json is unchanged; run with --write to replace it)`,
  );
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

/** The committed JSON of a benchmark (in `bench/results/`), or null when there is none yet. */
export function readResult(name: string): Record<string, unknown> | null {
  const file = join(committedDir, `${name}.json`);
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}
