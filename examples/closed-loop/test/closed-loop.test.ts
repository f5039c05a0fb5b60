import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

describe('examples/closed-loop', () => {
  it('turns two days of Collector exports into incidents with their root cause, and dry-run responses', () => {
    const tsx = join(here, '..', '..', '..', 'node_modules', '.bin', 'tsx');
    const out = execFileSync(tsx, ['main.ts'], { cwd: join(here, '..'), encoding: 'utf8' });
    expect(out).toMatch(/faults: 2; found: 2; incidents: 2/);
    expect(out).toMatch(/payments\/http\.server\.request\.duration/);
    expect(out).toMatch(/checkout\/http\.server\.request\.duration/);
    // The slowdown started at payments, which checkout calls: payments is the cause, and the one to scale out.
    expect(out).toMatch(
      /inc-1: payments\/http\.server\.request\.duration rose 2 min before checkout\/http\.server\.request\.duration and checkout calls payments/,
    );
    expect(out).toMatch(/Responses \(dry run: nothing was changed\)/);
    expect(out).toMatch(
      /\[dry-run\] would scale Deployment shop\/payments by \+1 within \[2, 10\]\n {4}policy scale-out-slow-service, because critical incident inc-1/,
    );
    // payments' slow memory leak is forecast to hit the limit within a day: restart it before the OOM kill.
    expect(out).toMatch(
      /\[dry-run\] would restart Deployment shop\/payments\n {4}policy restart-before-oom, because payments memory leaks/,
    );
    expect(out.match(/\[dry-run\]/g)).toHaveLength(2);
  });
});
