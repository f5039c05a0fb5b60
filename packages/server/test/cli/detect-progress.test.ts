// `vigil detect` with a slow detector (the LSTM) says how far each fit got, and Ctrl-C stops it at once with
// exit code 130 and no report, instead of running to the end in silence.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { noise } from '../helpers/otlp-json.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'cli.js');

describe('vigil detect on a long fit', () => {
  it('prints progress and stops on SIGINT with exit code 130, writing no report', {
    timeout: 120_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-detect-'));
    const file = join(dir, 'data.csv');
    const r = noise(3);
    const rows = ['timestamp,cpu'];
    for (let i = 0; i < 4000; i++) {
      const t = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
      rows.push(`${t},${(50 + 10 * Math.sin((2 * Math.PI * i) / 60) + r()).toFixed(3)}`);
    }
    writeFileSync(file, `${rows.join('\n')}\n`);
    const child = spawn(process.execPath, [cli, 'detect', file, '--detector', 'lstm'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
    });
    child.stderr.on('data', (c) => {
      out += c;
    });
    // Wait for the first progress line (the fit has run for 5 s), then interrupt.
    const t0 = Date.now();
    while (!/cpu: \d+ % — epoch \d+\/\d+/.test(out)) {
      if (child.exitCode !== null || Date.now() - t0 > 90_000) throw new Error(`no progress line:\n${out}`);
      await new Promise((ok) => setTimeout(ok, 100));
    }
    const interrupted = Date.now();
    child.kill('SIGINT');
    const code = await new Promise<number | null>((ok) => child.on('exit', ok));
    expect(code).toBe(130);
    expect(Date.now() - interrupted).toBeLessThan(15_000);
    expect(out).toContain('vigil detect: stopped; no report written.');
    expect(existsSync(join(dir, 'data.report.html'))).toBe(false);
  });
});
