import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// The built package, by name, as a user imports it (run `npm run build` first; `npm test` does).
import { bundleProblems, stack, toYaml } from '@vigil/deploy-manifests';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('built @vigil/deploy-manifests', () => {
  it('ESM build generates a valid stack', () => {
    const bundle = stack({
      otlpEndpoint: 'https://otlp.example.com:4317',
      tools: ['beyla', 'tetragon', 'parca'],
    });
    expect(bundleProblems(bundle.objects)).toEqual([]);
    expect(toYaml(bundle.objects)).toContain('kind: DaemonSet');
  });

  it('CJS build exports the same surface', () => {
    const require = createRequire(import.meta.url);
    const cjs = require('@vigil/deploy-manifests') as typeof import('@vigil/deploy-manifests');
    expect(typeof cjs.stack).toBe('function');
    // Two namespaces (restricted, privileged agents) with their default-deny policies, and the collector's five
    // objects (ServiceAccount, ConfigMap, Deployment, Service, NetworkPolicy).
    expect(cjs.stack({ otlpEndpoint: 'https://o.example.com', tools: [] }).objects.length).toBe(9);
  });

  it('the vigil-manifests bin runs under plain node and prints parseable YAML', () => {
    const out = execFileSync(
      process.execPath,
      [join(pkgDir, 'dist/cli.js'), '--otlp-endpoint', 'https://o.example.com:4317'],
      {
        encoding: 'utf8',
      },
    );
    const kinds = parseAllDocuments(out).map((d) => d.toJS().kind);
    expect(kinds).toContain('Namespace');
    expect(kinds).toContain('TracingPolicy');
  });
});
