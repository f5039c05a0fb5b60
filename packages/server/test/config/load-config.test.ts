import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VigilInputError } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/config/load-config.js';

describe('vigil.yaml', () => {
  it('fills every default from an empty file', () => {
    const c = parseConfig(undefined);
    expect(c.receivers.otlpHttp.port).toBe(4318);
    expect(c.receivers.otlpGrpc.port).toBe(4317);
    expect(c.pipeline.defaultDetector.kind).toBe('ensemble');
    expect(c.actions).toMatchObject({ dryRun: true, maxActionsPerHour: 20, policies: [] });
  });

  it('names each wrong field with the rule and the fix', () => {
    let err: VigilInputError | undefined;
    try {
      parseConfig({ pipeline: { warmup: 2, detectr: [] }, outputs: { alertmanager: { url: 'not a url' } } });
    } catch (e) {
      err = e as VigilInputError;
    }
    expect(err).toBeInstanceOf(VigilInputError);
    expect(err!.code).toBe('INVALID_OPTION');
    expect(err!.message).toContain("pipeline: unknown field 'detectr'; remove it or check the spelling.");
    expect(err!.message).toContain('pipeline.warmup: must be >= 10');
    expect(err!.message).toContain('outputs.alertmanager.url: must be a valid url');
    expect(err!.message).toMatch(/has 3 errors/);
  });

  it('reports YAML syntax errors with line and column, and expands environment variables in strings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-config-'));
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'pipeline:\n  warmup: [1, 2\n');
    expect(() => loadConfig(bad)).toThrow(/bad\.yaml is not valid YAML at line \d+, column \d+/);
    expect(() => loadConfig(join(dir, 'missing.yaml'))).toThrow(/ENOENT.*--config/);
    const good = join(dir, 'good.yaml');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the YAML text itself holds the ${…} reference.
    writeFileSync(good, 'receivers:\n  bearerToken: ${VIGIL_TEST_TOKEN}\n');
    process.env.VIGIL_TEST_TOKEN = 'tok-1';
    expect(loadConfig(good).receivers.bearerToken).toBe('tok-1');
  });
});
