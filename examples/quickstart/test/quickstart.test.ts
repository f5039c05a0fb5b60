import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

describe('examples/quickstart', () => {
  it('reports the injected spike and level shift, and nothing else, for both detectors', () => {
    const tsx = join(here, '..', '..', '..', 'node_modules', '.bin', 'tsx');
    const out = execFileSync(tsx, ['main.ts'], { cwd: join(here, '..'), encoding: 'utf8' });
    expect(out).toMatch(/missed: 0; false alarms: 0/);
    for (const detector of ['zscore', 'mad']) {
      for (const label of ['spike', 'level shift']) {
        expect(out).toMatch(new RegExp(`'${detector}'.*'${label}'`));
      }
    }
  });
});
