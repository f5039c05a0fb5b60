/**
 * Runs the registered benchmarks: every `bench/<name>/main.ts`, or only the names given on the command line
 * (`npm run bench -- isolation-forest prophet`). Each benchmark runs in its own process so that peak-memory
 * numbers and JIT state of one do not leak into another; each prints progress as it goes, then a table, and
 * writes `<name>.json` to a scratch folder — or, with `--write` (`npm run bench -- --write prophet`), replaces the
 * committed `bench/results/<name>.json`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(here, d.name, 'main.ts')))
  .map((d) => d.name)
  .sort();

const args = process.argv.slice(2);
// npm 11 keeps `--write` for itself when it passes through the workspace script: it arrives as npm_config_write.
const write = args.includes('--write') || process.env.npm_config_write === 'true';
const wanted = args.filter((a) => a !== '--write');
const unknown = wanted.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}

let failed = 0;
for (const name of wanted.length > 0 ? wanted : available) {
  console.log(`\n=== bench/${name} ===`);
  const tsx = join(here, '..', 'node_modules', '.bin', 'tsx');
  const run = spawnSync(tsx, ['--expose-gc', join(here, name, 'main.ts')], {
    stdio: 'inherit',
    env: { ...process.env, VIGIL_BENCH_WRITE: write ? '1' : '0' },
  });
  if (run.status !== 0) {
    console.error(`bench/${name} failed with exit code ${run.status}`);
    failed++;
  }
}
process.exit(failed === 0 ? 0 : 1);
