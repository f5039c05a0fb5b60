import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { noise } from '../helpers/otlp-json.js';

// The built CLI, as `npx vigil` runs it.
const cli = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'cli.js');

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, [cli, ...args], { timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

function waitFor(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no ${pattern} in: ${out}`)), 30_000);
    child.stdout!.on('data', (c) => {
      out += c;
      if (pattern.test(out)) {
        clearTimeout(timer);
        resolve(out);
      }
    });
  });
}

describe('the vigil CLI', () => {
  it('reports a wrong configuration with the field and the fix, exit code 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
    const file = join(dir, 'vigil.yaml');
    writeFileSync(file, 'pipeline:\n  warmup: 3\nreceivers:\n  otlpHtp: {}\n');
    const { code, stderr } = await run(['serve', '--config', file]);
    expect(code).toBe(1);
    expect(stderr).toContain('pipeline.warmup: must be >= 10');
    expect(stderr).toContain("receivers: unknown field 'otlpHtp'; remove it or check the spelling.");
    expect(stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });

  it('serves until SIGTERM, then saves its state and exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
    const file = join(dir, 'vigil.yaml');
    writeFileSync(
      file,
      [
        'receivers:',
        '  otlpHttp: { host: 127.0.0.1, port: 0 }',
        '  otlpGrpc: { host: 127.0.0.1, port: 0 }',
        'admin: { host: 127.0.0.1, port: 0 }',
        `state: { dir: ${JSON.stringify(join(dir, 'state'))} }`,
      ].join('\n'),
    );
    const child = spawn(process.execPath, [cli, 'serve', '--config', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const banner = await waitFor(child, /admin (http:\/\/\S+)/);
    const admin = banner.match(/admin (http:\/\/\S+)\/healthz/)![1];
    expect((await fetch(`${admin}/readyz`)).status).toBe(200);
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'state', 'pipeline.json'), 'utf8')).version).toBe(1);
  });

  it('detect: reads an RFC 4180 CSV (BOM, CRLF, quoted header), prints the events and writes the HTML report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
    const file = join(dir, 'data.csv');
    const r = noise(11);
    const rows = ['\ufefftimestamp,"latency, ms","note ""free text"""'];
    for (let i = 0; i < 1000; i++) {
      const t = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
      const v = 100 + 10 * Math.sin((2 * Math.PI * i) / 60) + 2 * r() + (i >= 850 && i < 856 ? 80 : 0);
      rows.push(`${t},${v.toFixed(3)},"ok, fine"`);
    }
    writeFileSync(file, `${rows.join('\r\n')}\r\n`);
    const { code, stdout, stderr } = await run(['detect', file, '--train', '0.6']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('latency, ms');
    expect(stdout).toMatch(/'2026-01-01 14:10:00' │ '2026-01-01 14:15:00'/); // the injected spike, 850 minutes in
    const report = join(dir, 'data.report.html');
    expect(existsSync(report)).toBe(true);
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('<h2>latency, ms</h2>');
    expect((html.match(/<svg /g) ?? []).length).toBe(2);
    expect(html).toMatch(/class="ev"/);
  });
});
