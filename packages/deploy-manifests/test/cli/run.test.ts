import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { runCli } from '../../src/index.js';

function run(argv: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env });
  return { code, stdout, stderr };
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('vigil-manifests CLI', () => {
  it('prints the validated stack as multi-document YAML', () => {
    const r = run([
      '--otlp-endpoint',
      'https://otlp.example.com:4317',
      '--namespace',
      'obs',
      '--tools',
      'beyla,tetragon',
    ]);
    expect(r.code).toBe(0);
    const docs = parseAllDocuments(r.stdout).map((d) => d.toJS());
    expect(docs[0]).toMatchObject({ kind: 'Namespace', metadata: { name: 'obs' } });
    expect(docs.some((d) => d.kind === 'DaemonSet' && d.metadata.name === 'beyla')).toBe(true);
    expect(docs.some((d) => d.kind === 'DaemonSet' && d.metadata.name === 'parca-agent')).toBe(false);
    expect(docs.filter((d) => d.kind === 'TracingPolicy')).toHaveLength(3);
  });

  it('passes policies, enforcement, labels, protocol and priority through', () => {
    const r = run([
      '--otlp-endpoint=http://tempo:4318',
      '--protocol=http',
      '--tools=tetragon',
      '--policies=outbound-connections',
      '--enforce',
      '--label',
      'team=sre',
      '--label=env=prod',
      '--priority-class=system-node-critical',
    ]);
    expect(r.code).toBe(0);
    const docs = parseAllDocuments(r.stdout).map((d) => d.toJS());
    expect(docs.filter((d) => d.kind === 'TracingPolicy').map((d) => d.metadata.name)).toEqual([
      'vigil-outbound-connections-enforce',
    ]);
    expect(docs.every((d) => d.metadata.labels.team === 'sre' && d.metadata.labels.env === 'prod')).toBe(
      true,
    );
    const cm = docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name === 'otel-collector');
    expect(Object.keys(parse(cm.data['collector.yaml']).exporters)).toEqual(['otlphttp/upstream']);
  });

  it('writes a kustomize tree with --out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
    dirs.push(dir);
    const r = run(['--otlp-endpoint', 'https://o.example.com', '--out', dir]);
    expect(r.code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual([
      'beyla',
      'collector',
      'custom-resources',
      'kustomization.yaml',
      'namespace.yaml',
      'parca',
      'tetragon',
    ]);
    expect(parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')).resources).toHaveLength(5);
    expect(r.stderr).toContain(`kubectl apply -k ${dir}\n`);
    expect(r.stderr).toContain(
      'kubectl wait --for condition=established --timeout=180s crd/tracingpolicies.cilium.io',
    );
    expect(r.stderr).toContain(`kubectl apply -k ${dir}/custom-resources\n`);
  });

  it('--out writes Secrets readable by the owner only (0600), every other file 0644, also over old files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
    dirs.push(dir);
    const args = ['--otlp-endpoint', 'https://o.example.com', '--tools', 'pixie', '--pixie-cluster', 'prod'];
    const env = { PIXIE_DEPLOY_KEY: 'px-dep-1' };
    // A secret file left world-readable by an older run is tightened, not kept.
    mkdirSync(join(dir, 'pixie'));
    writeFileSync(join(dir, 'pixie', 'secret-pl-deploy-secrets.yaml'), 'old');
    chmodSync(join(dir, 'pixie', 'secret-pl-deploy-secrets.yaml'), 0o666);
    expect(run([...args, '--out', dir], env).code).toBe(0);
    const mode = (path: string) => statSync(join(dir, path)).mode & 0o777;
    expect(mode('pixie/secret-pl-deploy-secrets.yaml')).toBe(0o600);
    expect(readFileSync(join(dir, 'pixie', 'secret-pl-deploy-secrets.yaml'), 'utf8')).toContain('px-dep-1');
    expect(mode('pixie/kustomization.yaml')).toBe(0o644);
    expect(mode('collector/deployment-otel-collector.yaml')).toBe(0o644);
  });

  it('--out never follows a symbolic link, and says so (exit 2, no stack trace)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
    dirs.push(dir);
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'keep me');
    const args = ['--otlp-endpoint', 'https://o.example.com', '--tools', 'beyla'];
    // A link planted where a generated file goes.
    const out = join(dir, 'out');
    mkdirSync(join(out, 'collector'), { recursive: true });
    symlinkSync(victim, join(out, 'collector', 'configmap-otel-collector.yaml'));
    const r = run([...args, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^vigil-manifests: UNSAFE_PATH --out: .*configmap-otel-collector\.yaml is a symbolic link/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readFileSync(victim, 'utf8')).toBe('keep me');
    // A link as the output directory, or as a folder inside it.
    symlinkSync(dir, join(dir, 'link-out'));
    expect(run([...args, '--out', join(dir, 'link-out')]).stderr).toContain('UNSAFE_PATH');
    const out2 = join(dir, 'out2');
    mkdirSync(out2);
    symlinkSync(dir, join(out2, 'beyla'));
    expect(run([...args, '--out', out2]).stderr).toMatch(/UNSAFE_PATH --out: .*beyla is a symbolic link/);
    expect(existsSync(join(dir, 'configmap-beyla.yaml'))).toBe(false);
  });

  it('--out naming a file is a clear error, not a stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
    dirs.push(dir);
    const file = join(dir, 'file.yaml');
    writeFileSync(file, 'x');
    const r = run(['--otlp-endpoint', 'https://o.example.com', '--out', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `vigil-manifests: UNSAFE_PATH --out: ${file} is a file, not a directory; nothing was written there. Fix: give --out a directory (new or existing).\n`,
    );
    const nested = run(['--otlp-endpoint', 'https://o.example.com', '--out', join(file, 'sub')]);
    expect([nested.code, nested.stderr]).toEqual([
      2,
      `vigil-manifests: UNSAFE_PATH --out: ${file} is a file, not a directory; nothing was written there. Fix: give --out a directory (new or existing).\n`,
    ]);
    expect(readFileSync(file, 'utf8')).toBe('x');
  });

  it('reads every stack() option from --config (YAML or JSON), with flags overriding fields', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
    dirs.push(dir);
    const yamlPath = join(dir, 'stack.yaml');
    writeFileSync(
      yamlPath,
      [
        'otlpEndpoint: https://otlp.example.com:4317',
        'namespace: from-file',
        'tools: [beyla, parca]',
        'labels: { team: sre }',
        'beyla: { distribution: obi, instrumentations: [http] }',
        'parca: { storageActiveMemory: 256Mi }',
      ].join('\n'),
    );
    const r = run(['--config', yamlPath, '--namespace', 'from-flag', '--label', 'env=prod']);
    expect(r.code).toBe(0);
    const docs = parseAllDocuments(r.stdout).map((d) => d.toJS());
    expect(docs[0].metadata.name).toBe('from-flag');
    expect(docs.some((d) => d.kind === 'DaemonSet' && d.metadata.name === 'obi')).toBe(true);
    expect(docs.some((d) => d.kind === 'DaemonSet' && d.metadata.name === 'tetragon')).toBe(false);
    expect(docs.every((d) => d.metadata.labels.team === 'sre' && d.metadata.labels.env === 'prod')).toBe(
      true,
    );
    const parcaArgs = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'parca').spec.template
      .spec.containers[0].args;
    expect(parcaArgs).toContain(`--storage-active-memory=${256 * 2 ** 20}`);

    const jsonPath = join(dir, 'stack.json');
    writeFileSync(
      jsonPath,
      JSON.stringify({
        otlpEndpoint: 'https://o.example.com',
        tools: ['beyla'],
        beyla: { protocol: 'smtp' },
      }),
    );
    const bad = run(['--config', jsonPath]);
    expect([bad.code, bad.stderr.includes('beyla.protocol')]).toEqual([2, true]);
    writeFileSync(jsonPath, '[1, 2]');
    expect(run(['--config', jsonPath]).stderr).toContain('--config');
    expect(run(['--config', join(dir, 'missing.yaml')]).stderr).toContain('cannot read');
  });

  it('reads the Pixie deploy key from the environment, and says what is missing without it', () => {
    const ok = run(
      ['--otlp-endpoint', 'https://o.example.com', '--tools', 'pixie', '--pixie-cluster', 'prod'],
      {
        PIXIE_DEPLOY_KEY: 'px-dep-1',
      },
    );
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('kind: Vizier');
    const missing = run([
      '--otlp-endpoint',
      'https://o.example.com',
      '--tools',
      'pixie',
      '--pixie-cluster',
      'prod',
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('INVALID_OPTION pixie.deployKey');
  });

  it('exits 2 with the field and allowed values on bad input, and prints usage for -h', () => {
    const bad = run(['--otlp-endpoint', 'https://o', '--tools', 'beyla,falco']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('tools[1]');
    expect(bad.stderr).toContain('Allowed values: beyla, tetragon, parca, pixie');
    expect(run([]).code).toBe(2);
    expect(run(['--otlp-endpoint', 'https://o', '--bogus']).code).toBe(2);
    expect(run(['--otlp-endpoint', 'https://o', '--label', 'novalue']).stderr).toContain('--label');
    const help = run(['-h']);
    expect([help.code, help.stdout.startsWith('Usage: vigil-manifests')]).toEqual([0, true]);
  });
});
