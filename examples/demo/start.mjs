#!/usr/bin/env node
// `npm start` at the repository root: builds the packages the demo needs when their build is missing or older
// than their sources — quietly, one line instead of the build tools' output, which is shown only if the build
// fails — then runs the demo in the foreground.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
// The demo's own dependencies, and @vigil/ebpf-native for vigil serve's optional eBPF section (as root).
const PACKAGES = ['errors', 'core', 'detectors', 'ebpf-native', 'server'];

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const stale = PACKAGES.filter((name) => {
  const pkg = join(root, 'packages', name);
  const built = join(pkg, 'dist', 'index.js');
  return !existsSync(built) || statSync(built).mtimeMs < newest(join(pkg, 'src'));
});

if (stale.length > 0) {
  process.stdout.write(`Building ${stale.map((n) => `@vigil/${n}`).join(', ')} first (a minute or so) …\n`);
  const t0 = Date.now();
  const build = spawnSync(
    'npm',
    ['run', 'build', ...PACKAGES.flatMap((n) => ['--workspace', `@vigil/${n}`])],
    {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (build.status !== 0) {
    process.stderr.write(
      `${build.stdout}${build.stderr}\nThe build failed (exit code ${build.status}); see above.\n`,
    );
    process.exit(build.status ?? 1);
  }
  process.stdout.write(`Built in ${((Date.now() - t0) / 1000).toFixed(0)} s.\n\n`);
}

const demo = spawn(join(root, 'node_modules', '.bin', 'tsx'), ['main.ts'], { cwd: here, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => demo.kill(signal));
demo.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
