import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

describe('examples/closed-loop', () => {
  it('turns two days of Collector exports into incidents that match the injected faults', () => {
    const tsx = join(here, '..', '..', '..', 'node_modules', '.bin', 'tsx');
    const out = execFileSync(tsx, ['main.ts'], { cwd: join(here, '..'), encoding: 'utf8' });
    expect(out).toMatch(/faults: 2; found: 2; incidents: 2/);
    expect(out).toMatch(/payments\/http\.server\.request\.duration/);
    expect(out).toMatch(/checkout\/http\.server\.request\.duration/);
  });
});
