/**
 * What a consumer of `@vigil/detectors` installs and loads: packs `@vigil/core` and `@vigil/detectors` (as built by
 * `npm run build`), installs the tarballs into an empty project, and measures `node_modules` on disk and what
 * `import('@vigil/detectors')` costs for a user who wants only `zscore`. Side by side with the peer it used to pull
 * in, the `@tensorflow/tfjs` umbrella, installed alone into another empty project.
 *
 * `VIGIL_BASELINE_TARBALLS=<dir>` adds a row for tarballs packed elsewhere (e.g. from an older commit), labelled
 * `VIGIL_BASELINE_LABEL`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Row, writeResult } from '../lib/report.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const work = mkdtempSync(join(tmpdir(), 'vigil-install-size-'));

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function diskBytes(path: string): number {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.size;
  let sum = 0;
  for (const e of readdirSync(path)) sum += diskBytes(join(path, e));
  return sum;
}

function project(name: string, specs: string[]): string {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name, version: '1.0.0', private: true, type: 'module' }),
  );
  console.log(`installing ${specs.map((s) => s.replace(`${work}/`, '')).join(' ')} into an empty project …`);
  npm(['install', '--prefer-offline', '--no-audit', '--no-fund', ...specs], dir);
  return dir;
}

// In a fresh process: import time, RSS and how many TensorFlow.js modules the import loaded.
function probe(dir: string, specifier: string): { importMs: number; rssMB: number; tfjsModules: number } {
  const script = `
    const t0 = performance.now();
    await import(${JSON.stringify(specifier)});
    const importMs = performance.now() - t0;
    const { createRequire } = await import('node:module');
    const cache = createRequire(import.meta.url).cache;
    const tfjsModules = Object.keys(cache).filter((k) => k.includes('@tensorflow')).length;
    console.log(JSON.stringify({ importMs, rssMB: process.memoryUsage().rss / 1e6, tfjsModules }));`;
  writeFileSync(join(dir, 'probe.mjs'), script);
  const runs = [0, 1, 2].map(() =>
    JSON.parse(execFileSync('node', ['probe.mjs'], { cwd: dir, encoding: 'utf8' })),
  );
  runs.sort((a, b) => a.importMs - b.importMs);
  return runs[1];
}

function measure(label: string, dir: string, specifier: string): Row {
  const nm = join(dir, 'node_modules');
  const p = probe(dir, specifier);
  return {
    consumer: label,
    packages: readdirSync(nm).flatMap((e) => (e.startsWith('@') ? readdirSync(join(nm, e)) : [e])).length,
    installMB: diskBytes(nm) / 1e6,
    tensorflowMB: diskBytes(join(nm, '@tensorflow')) / 1e6,
    importMs: p.importMs,
    importRssMB: p.rssMB,
    tfjsModulesAtImport: p.tfjsModules,
  };
}

try {
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  npm(
    ['pack', '--pack-destination', tarballs, join(root, 'packages/core'), join(root, 'packages/detectors')],
    root,
  );
  const tgzIn = (dir: string) =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.tgz'))
      .map((f) => join(dir, f));
  const tgz = tgzIn(tarballs);
  const baseline = process.env.VIGIL_BASELINE_TARBALLS;
  const rows = [
    measure('@vigil/detectors (zscore user)', project('vigil', tgz), '@vigil/detectors'),
    ...(baseline
      ? [
          measure(
            `@vigil/detectors ${process.env.VIGIL_BASELINE_LABEL ?? 'baseline'}`,
            project('baseline', tgzIn(baseline)),
            '@vigil/detectors',
          ),
        ]
      : []),
    measure(
      '@tensorflow/tfjs 4.22.0 alone (peer)',
      project('umbrella', ['@tensorflow/tfjs@4.22.0']),
      '@tensorflow/tfjs',
    ),
  ];
  writeResult('install-size', rows, {
    method:
      'npm pack of @vigil/core and @vigil/detectors, npm install of the tarballs into an empty project (--prefer-offline); installMB = bytes of node_modules; import figures are the median of 3 fresh processes',
    tarballs: tgz.map((t) => t.replace(`${work}/`, '')),
  });
} finally {
  rmSync(work, { recursive: true, force: true });
}
