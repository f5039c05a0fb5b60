// The packages as a consumer gets them: `npm pack` of @vigil/errors, @vigil/core, @vigil/detectors and
// @vigil/deploy-manifests
// (as built by `npm run build`), unpacked into the node_modules of an empty project outside the repository, with
// only the dependencies and peers each package.json declares linked in from the repository's node_modules (so the
// test is offline, and a dependency used but not declared fails here). Then imported from ESM, CommonJS and
// TypeScript, by the main entry points and by the subpaths (`@vigil/detectors/prophet`, `/lstm`, `/maintenance`).
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const PACKAGES = ['errors', 'core', 'detectors', 'deploy-manifests'] as const;

interface Packed {
  name: string;
  filename: string;
  files: { path: string }[];
}

let project: string;
let packed: Packed[];

function run(file: string, args: string[] = []) {
  const r = spawnSync(process.execPath, [file, ...args], {
    cwd: project,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`node ${file} exited ${r.status}:\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'vigil-consumer-'));
  const tarballs = join(project, 'tarballs');
  mkdirSync(tarballs);
  const out = execFileSync(
    'npm',
    ['pack', '--json', '--pack-destination', tarballs, ...PACKAGES.map((p) => join(root, 'packages', p))],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  packed = JSON.parse(out);
  const modules = join(project, 'node_modules');
  const linked = new Set<string>();
  for (const p of packed) {
    const dir = join(modules, p.name);
    mkdirSync(dir, { recursive: true });
    execFileSync('tar', ['-xzf', join(tarballs, p.filename), '-C', dir, '--strip-components=1']);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const optional = manifest.peerDependenciesMeta ?? {};
    const wanted = [
      ...Object.keys(manifest.dependencies ?? {}),
      ...Object.keys(manifest.peerDependencies ?? {}).filter((n) => !optional[n]?.optional),
    ];
    for (const dep of wanted) {
      if (dep.startsWith('@vigil/') || linked.has(dep)) continue;
      const from = join(root, 'node_modules', dep);
      if (!existsSync(from))
        throw new Error(`${p.name} depends on ${dep}, which is not in ${root}/node_modules`);
      mkdirSync(dirname(join(modules, dep)), { recursive: true });
      symlinkSync(from, join(modules, dep), 'dir');
      linked.add(dep);
    }
  }
  // A TypeScript consumer of a Node.js SDK has Node's types.
  mkdirSync(join(modules, '@types'), { recursive: true });
  symlinkSync(join(root, 'node_modules', '@types', 'node'), join(modules, '@types', 'node'), 'dir');
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }),
  );
}, 120_000);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('the packed tarballs in an empty project', { timeout: 120_000 }, () => {
  it('hold the built entry points, the LICENSE and the bin, and no sources or tests', () => {
    for (const p of packed) {
      const files = p.files.map((f) => f.path);
      expect(files, p.name).toEqual(
        expect.arrayContaining([
          'LICENSE',
          'package.json',
          'dist/index.js',
          'dist/index.cjs',
          'dist/index.d.ts',
          'dist/index.d.cts',
        ]),
      );
      expect(
        files.filter((f) => /^(src|test)\//.test(f)),
        p.name,
      ).toEqual([]);
      const manifest = JSON.parse(
        readFileSync(join(project, 'node_modules', p.name, 'package.json'), 'utf8'),
      );
      expect(manifest.license).toBe('Apache-2.0');
      expect(manifest.repository?.url).toMatch(/^git\+https:/);
      expect(manifest.peerDependencies?.['@opentelemetry/api'] ?? 'none', p.name).not.toBe(
        manifest.dependencies?.['@opentelemetry/api'],
      );
    }
  });

  it('import from ESM: zscore scores without loading TensorFlow.js; an LSTM loads it when used', () => {
    writeFileSync(
      join(project, 'consumer.mjs'),
      `import { createRequire } from 'node:module';
import { toSeries, VigilError, VigilInputError } from '@vigil/core';
import { VigilError as BaseError } from '@vigil/errors';
import { createDetector } from '@vigil/detectors';
import { stack, ManifestError } from '@vigil/deploy-manifests';
import { Prophet, ProphetDetector } from '@vigil/detectors/prophet';
import { LstmDetector } from '@vigil/detectors/lstm';
import { forecastExhaustion } from '@vigil/detectors/maintenance';
const tfjsLoaded = () => Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('@tensorflow')).length;
const values = Array.from({ length: 200 }, (_, i) => Math.sin(i / 5) + (i === 150 ? 8 : 0));
const series = toSeries({ timestamps: values.map((_, i) => i * 60_000), values });
const train = toSeries({ timestamps: series.timestamps.slice(0, 120), values: series.values.slice(0, 120) });
const top = (s) => s.score.indexOf(Math.max(...s.score));
const z = createDetector('zscore', { window: 30 });
await z.fit(train);
const zs = await z.score(series);
const afterZscore = tfjsLoaded();
const lstm = createDetector('lstm', { window: 8, units: 4, epochs: 2, seed: 1, backend: 'cpu' });
await lstm.fit(series);
const ls = await lstm.score(series);
let code;
try { createDetector('nope'); } catch (e) { code = e instanceof VigilInputError ? e.code : String(e); }
const objects = stack({ otlpEndpoint: 'http://otel.example:4317', tools: ['beyla'] }).objects.length;
let manifestError;
try { stack({ namespace: 'Bad_NS', otlpEndpoint: 'http://x:4317' }); } catch (e) { manifestError = e; }
const family = [VigilError === BaseError, manifestError instanceof ManifestError, manifestError instanceof VigilError, manifestError.field];
const subpaths = [createDetector('prophet') instanceof ProphetDetector, lstm instanceof LstmDetector, typeof Prophet];
const disk = toSeries({ timestamps: values.map((_, i) => i * 3_600_000), values: values.map((_, i) => 100 + i) });
const eta = (await forecastExhaustion(disk, { capacity: 400 })).summary.length > 0;
console.log(JSON.stringify({ afterZscore, afterLstm: tfjsLoaded(), zscoreTop: top(zs), lstmTop: top(ls), code, objects, family, subpaths, eta, snapshot: lstm.toJSON() }));
`,
    );
    const r = JSON.parse(run('consumer.mjs'));
    expect(r.afterZscore).toBe(0);
    expect(r.afterLstm).toBeGreaterThan(0);
    expect(r.zscoreTop).toBe(150);
    expect(r.lstmTop).toBe(150);
    expect(r.code).toBe('UNKNOWN_KIND');
    expect(r.objects).toBeGreaterThan(0);
    expect(r.family).toEqual([true, true, true, 'namespace']);
    expect(r.subpaths).toEqual([true, true, 'function']);
    expect(r.eta).toBe(true);
    writeFileSync(join(project, 'lstm-snapshot.json'), JSON.stringify(r.snapshot));
  });

  it('a restored LSTM in a fresh process says NOT_READY until ready(), then streams', () => {
    writeFileSync(
      join(project, 'restore.mjs'),
      `import { readFileSync } from 'node:fs';
import { loadDetector } from '@vigil/core';
import '@vigil/detectors';
const d = loadDetector(JSON.parse(readFileSync('lstm-snapshot.json', 'utf8')));
const t = 200 * 60_000;
let before;
try { d.update(t, 0.5); } catch (e) { before = e.code; }
await d.ready();
const p = d.update(t, 0.5);
console.log(JSON.stringify({ before, status: p.status, finite: Number.isFinite(p.score) }));
`,
    );
    expect(JSON.parse(run('restore.mjs'))).toEqual({ before: 'NOT_READY', status: 'scored', finite: true });
  });

  it('require from CommonJS', () => {
    writeFileSync(
      join(project, 'consumer.cjs'),
      `const { toSeries } = require('@vigil/core');
const { createDetector } = require('@vigil/detectors');
const { ProphetDetector } = require('@vigil/detectors/prophet');
const { LstmDetector } = require('@vigil/detectors/lstm');
const { planCapacity } = require('@vigil/detectors/maintenance');
const { stack, ManifestError } = require('@vigil/deploy-manifests');
const { VigilError } = require('@vigil/errors');
const values = Array.from({ length: 100 }, (_, i) => Math.sin(i / 5) + (i === 80 ? 8 : 0));
const series = toSeries({ timestamps: values.map((_, i) => i * 60_000), values });
const d = createDetector('mad', { window: 30 });
d.fit(toSeries({ timestamps: series.timestamps.slice(0, 60), values: series.values.slice(0, 60) }))
  .then(() => d.score(series)).then((s) => {
  const tfjs = Object.keys(require.cache).filter((k) => k.includes('@tensorflow')).length;
  let family;
  try { stack({ namespace: 'Bad_NS', otlpEndpoint: 'http://x:4317' }); } catch (e) { family = e instanceof ManifestError && e instanceof VigilError; }
  const prophet = createDetector('prophet') instanceof ProphetDetector;
  console.log(JSON.stringify({ top: s.score.indexOf(Math.max(...s.score)), lstm: typeof LstmDetector, stack: typeof stack, tfjs, family, prophet, planCapacity: typeof planCapacity }));
});
`,
    );
    expect(JSON.parse(run('consumer.cjs'))).toEqual({
      top: 80,
      lstm: 'function',
      stack: 'function',
      tfjs: 0,
      family: true,
      prophet: true,
      planCapacity: 'function',
    });
  });

  it('type-check from TypeScript, as an ESM and as a CommonJS module', () => {
    const body = `const series = toSeries({ timestamps: [0, 60_000, 120_000], values: [1, 2, 3] });
const d: Detector = createDetector('zscore', { window: 30 });
const lstm: LstmDetector = new LstmDetector({ window: 8, backend: 'cpu' });
const objects: number = stack({ otlpEndpoint: 'http://otel.example:4317' }).objects.length;
// Options are typed per kind: a misspelt name does not compile, and the result is the kind's class.
// @ts-expect-error windw is not an option of zscore
createDetector('zscore', { windw: 30 });
const mad: MadDetector = createDetector('mad', { window: 5, targetFpr: 1e-3 });
// A kind read from configuration goes through the untyped overload (and is checked at run time).
const kindFromConfig: string = 'mad';
const fromConfig: Detector = createDetector(kindFromConfig, { window: 5 });
// The subpaths' classes are the ones createDetector returns.
const prophet: ProphetDetector = createDetector('prophet', { refitEvery: 288 });
const model = new Prophet({ growth: 'linear' });
const checkLeak = (s: typeof series) => detectLeak(s);
const isVigil = (e: unknown): string | undefined => (e instanceof VigilError ? e.fix : undefined);
const manifestIsVigil = (e: ManifestError): VigilError<string> => e;
export const used = [series.values.length, d.kind, lstm.kind, objects, mad.kind, fromConfig.kind, prophet.kind, model, checkLeak, isVigil, manifestIsVigil];
`;
    writeFileSync(
      join(project, 'consumer.mts'),
      `import { type Detector, toSeries } from '@vigil/core';
import { createDetector, MadDetector } from '@vigil/detectors';
import { LstmDetector } from '@vigil/detectors/lstm';
import { detectLeak } from '@vigil/detectors/maintenance';
import { Prophet, ProphetDetector } from '@vigil/detectors/prophet';
import { ManifestError, stack } from '@vigil/deploy-manifests';
import { VigilError } from '@vigil/errors';
${body}`,
    );
    writeFileSync(
      join(project, 'consumer.cts'),
      `import { type Detector, toSeries } from '@vigil/core';
import { createDetector, MadDetector } from '@vigil/detectors';
import { LstmDetector } from '@vigil/detectors/lstm';
import { detectLeak } from '@vigil/detectors/maintenance';
import { Prophet, ProphetDetector } from '@vigil/detectors/prophet';
import { ManifestError, stack } from '@vigil/deploy-manifests';
import { VigilError } from '@vigil/errors';
${body}`,
    );
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const args = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext'];
    const r = spawnSync(
      process.execPath,
      [
        tsc,
        ...args,
        '--target',
        'es2022',
        '--types',
        'node',
        '--skipLibCheck',
        'consumer.mts',
        'consumer.cts',
      ],
      {
        cwd: project,
        encoding: 'utf8',
      },
    );
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('run the vigil-manifests bin from the tarball, and from the repository after npm ci', () => {
    const bin = join(project, 'node_modules', '@vigil/deploy-manifests', 'bin', 'vigil-manifests.js');
    expect(run(bin, ['--help'])).toMatch(/^Usage: vigil-manifests/);
    // npm links a workspace's bin at install time; the committed shim exists then, unlike dist/cli.js.
    const linked = join(root, 'node_modules', '.bin', 'vigil-manifests');
    expect(existsSync(linked), `${linked} (run npm ci)`).toBe(true);
    const r = spawnSync(linked, ['--help'], { encoding: 'utf8' });
    expect(r.stdout).toMatch(/^Usage: vigil-manifests/);
  });
});
