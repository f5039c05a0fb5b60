// @vigil/server as the Dockerfile installs it: `npm pack` of errors, core, detectors and server unpacked into an
// empty project outside the repository (declared dependencies and peers linked in from the repository's
// node_modules, as npm installs peers, so the test
// is offline), then `vigil serve` started from the unpacked CLI: it must find its proto/ folder, answer /readyz and
// decode a protobuf export.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

describe('the packed @vigil/server', () => {
  it('runs vigil serve outside the repository, as in the container image', async () => {
    const project = mkdtempSync(join(tmpdir(), 'vigil-image-'));
    const tarballs = join(project, 'tarballs');
    mkdirSync(tarballs);
    const packed = JSON.parse(
      execFileSync(
        'npm',
        [
          'pack',
          '--json',
          '--pack-destination',
          tarballs,
          ...['errors', 'core', 'detectors', 'server'].map((p) => join(root, 'packages', p)),
        ],
        { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
      ),
    ) as Array<{ name: string; filename: string; files: { path: string }[] }>;
    const server = packed.find((p) => p.name === '@vigil/server')!;
    expect(server.files.map((f) => f.path)).toContain('proto/opentelemetry/proto/metrics/v1/metrics.proto');
    const modules = join(project, 'node_modules');
    const linked = new Set(packed.map((p) => p.name));
    for (const p of packed) {
      const dir = join(modules, p.name);
      mkdirSync(dir, { recursive: true });
      execFileSync('tar', ['-xzf', join(tarballs, p.filename), '-C', dir, '--strip-components=1']);
    }
    for (const p of packed) {
      const manifest = JSON.parse(readFileSync(join(modules, p.name, 'package.json'), 'utf8'));
      const optional = manifest.peerDependenciesMeta ?? {};
      const peers = Object.keys(manifest.peerDependencies ?? {}).filter((n) => !optional[n]?.optional);
      for (const dep of [...Object.keys(manifest.dependencies ?? {}), ...peers]) {
        if (linked.has(dep)) continue;
        linked.add(dep);
        const target = join(modules, dep);
        mkdirSync(dirname(target), { recursive: true });
        if (!existsSync(target)) symlinkSync(join(root, 'node_modules', dep), target, 'dir');
      }
    }
    const config = join(project, 'vigil.yaml');
    writeFileSync(
      config,
      'receivers:\n  otlpHttp: { host: 127.0.0.1, port: 0 }\n  otlpGrpc: { host: 127.0.0.1, port: 0 }\nadmin: { host: 127.0.0.1, port: 0 }\n',
    );
    const child = spawn(
      process.execPath,
      [join(modules, '@vigil/server/dist/cli.js'), 'serve', '--config', config],
      {
        cwd: project,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      let out = '';
      const banner = await new Promise<string>((ok, fail) => {
        const timer = setTimeout(() => fail(new Error(`no banner: ${out}`)), 60_000);
        child.stdout!.on('data', (c) => {
          out += c;
          if (/admin http/.test(out)) {
            clearTimeout(timer);
            ok(out);
          }
        });
        child.stderr!.on('data', (c) => {
          out += c;
        });
      });
      const admin = banner.match(/admin (http:\/\/\S+)\/healthz/)![1];
      const otlp = banner.match(/OTLP\/HTTP (http:\/\/[^;\s]+)/)![1];
      expect((await fetch(`${admin}/readyz`)).status).toBe(200);
      // An empty protobuf ExportMetricsServiceRequest: decoding needs the packed proto/ definitions.
      const res = await fetch(otlp, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf' },
        body: new Uint8Array(),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/x-protobuf');
    } finally {
      child.kill('SIGTERM');
    }
  });
});
