/**
 * The nab-dev corpus (../shared/nab-dev beside the repository): its files, their values and NAB's probation length,
 * read with the scorer's own loader so that the protocol here is the scorer's.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Where nab-dev lives: `$VIGIL_NAB_DEV`, else `../shared/nab-dev` from the repository root. */
export const NAB_DEV = resolve(
  process.env.VIGIL_NAB_DEV ??
    join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'nab-dev'),
);

/** One labelled file of the corpus. */
export interface NabFile {
  /** `<category>/<name>.csv` */
  readonly relPath: string;
  readonly category: string;
  /** The timestamp column as written (kept verbatim in the results). */
  readonly timestampStrings: readonly string[];
  /** Epoch milliseconds (UTC). */
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  /** NAB's probation: min(floor(0.15·n), 750) points a detector may fit on; they are not scored. */
  readonly probation: number;
}

/** The scorer module's exports this bench uses (score.mjs has no types). */
interface ScorerModule {
  loadCorpus(o: { nabRoot: string }): {
    files: Array<{ relPath: string; category: string; timestamps: number[]; timestampStrings: string[] }>;
    numWindows: number;
  };
  readCsv(file: string): { header: string[]; rows: string[][] };
  probationaryLength(n: number): number;
}

/** True when nab-dev is beside the repository (a fresh clone elsewhere has no ../shared). */
export function nabDevAvailable(): boolean {
  return existsSync(join(NAB_DEV, 'score.mjs'));
}

/** Loads every labelled file of nab-dev. */
export async function loadNabDev(): Promise<{ files: NabFile[]; windows: number }> {
  const scorer = (await import(pathToFileURL(join(NAB_DEV, 'score.mjs')).href)) as ScorerModule;
  const corpus = scorer.loadCorpus({ nabRoot: NAB_DEV });
  const files = corpus.files.map((f) => {
    const { header, rows } = scorer.readCsv(join(NAB_DEV, 'data', f.relPath));
    const col = header.indexOf('value');
    return {
      relPath: f.relPath,
      category: f.category,
      timestampStrings: f.timestampStrings,
      // The scorer keeps microseconds; detectors take milliseconds.
      timestamps: Float64Array.from(f.timestamps, (us) => us / 1000),
      values: Float64Array.from(rows, (r) => Number(r[col])),
      probation: Math.floor(scorer.probationaryLength(rows.length)),
    };
  });
  return { files, windows: corpus.numWindows };
}
