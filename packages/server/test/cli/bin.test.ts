// The `vigil` bin as npm links it: to the committed shim bin/vigil.js, which exists at `npm ci` time (before
// dist/cli.js is built), so that `npx vigil` in a fresh clone runs the workspace's CLI instead of asking the registry.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const root = join(pkg, '..', '..');

describe('the vigil bin', () => {
  it('is linked by npm ci to the committed shim and runs the built CLI', () => {
    const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
    expect(manifest.bin).toEqual({ vigil: './bin/vigil.js' });
    const linked = join(root, 'node_modules', '.bin', 'vigil');
    expect(existsSync(linked), `${linked} (run npm ci)`).toBe(true);
    expect(realpathSync(linked)).toBe(realpathSync(join(pkg, 'bin', 'vigil.js')));
    const r = spawnSync(linked, ['help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage:\n {2}vigil serve/);
  });

  it('says to build first, without a stack trace, when dist/ is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-bin-'));
    mkdirSync(join(dir, 'bin'));
    copyFileSync(join(pkg, 'bin', 'vigil.js'), join(dir, 'bin', 'vigil.js'));
    const r = spawnSync(process.execPath, [join(dir, 'bin', 'vigil.js'), 'help'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('vigil: @vigil/server is not built yet; run `npm run build` first.\n');
  });
});
