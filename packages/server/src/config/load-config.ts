import { readFileSync } from 'node:fs';
import { VigilInputError } from '@vigil/core';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { configSchema, type VigilConfig } from './schema.js';

/**
 * Parses a configuration object (from YAML, JSON or code), filling defaults.
 *
 * @throws {VigilInputError} `INVALID_OPTION` whose message lists every wrong field by its path with the rule it
 *   broke and what to write instead; `field` is the first wrong path.
 * @example
 * const config = parseConfig({ pipeline: { warmup: 60 } });
 */
export function parseConfig(input: unknown, source = 'configuration'): VigilConfig {
  const result = configSchema.safeParse(expandEnv(input ?? {}));
  if (result.success) return result.data;
  const lines = result.error.issues.map(describeIssue);
  throw new VigilInputError(
    'INVALID_OPTION',
    `${source} has ${lines.length === 1 ? 'an error' : `${lines.length} errors`}:\n${lines.map((l) => `  - ${l}`).join('\n')}`,
    pathOf(result.error.issues[0]),
  );
}

/**
 * Reads and parses a `vigil.yaml` file.
 *
 * @throws {VigilInputError} `INVALID_OPTION` for unreadable YAML (with line and column) or a wrong field.
 * @example
 * const config = loadConfig('vigil.yaml');
 */
export function loadConfig(path: string): VigilConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new VigilInputError(
      'INVALID_OPTION',
      `Cannot read the configuration file ${path} (${(e as NodeJS.ErrnoException).code ?? String(e)}): check the path given to --config.`,
      'config',
    );
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const at = e.linePos?.[0] ? ` at line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '';
    throw new VigilInputError(
      'INVALID_OPTION',
      `${path} is not valid YAML${at}: ${e.message.split('\n')[0]}`,
      'config',
    );
  }
  return parseConfig(doc.toJS(), path);
}

function pathOf(issue: z.core.$ZodIssue | undefined): string {
  return issue && issue.path.length > 0 ? issue.path.map(String).join('.') : '(top level)';
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const at = pathOf(issue);
  switch (issue.code) {
    case 'unrecognized_keys':
      return `${at}: unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}; remove ${issue.keys.length > 1 ? 'them' : 'it'} or check the spelling.`;
    case 'invalid_type':
      return `${at}: expected ${issue.expected}; write a ${issue.expected} here.`;
    case 'too_small':
      return `${at}: must be ${issue.inclusive === false ? '>' : '>='} ${String(issue.minimum)}; ${issue.message.toLowerCase()}.`;
    case 'too_big':
      return `${at}: must be ${issue.inclusive === false ? '<' : '<='} ${String(issue.maximum)}; ${issue.message.toLowerCase()}.`;
    case 'invalid_value':
      return `${at}: must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}.`;
    case 'invalid_format':
      return `${at}: must be a valid ${issue.format} (e.g. http://host:4318).`;
    default:
      return `${at}: ${issue.message}.`;
  }
}

/** Replaces `${NAME}` in every string with the environment variable (empty when unset), so secrets stay out of files. */
function expandEnv(value: unknown): unknown {
  if (typeof value === 'string')
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, n) => process.env[n] ?? '');
  if (Array.isArray(value)) return value.map(expandEnv);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandEnv(v)]));
  return value;
}
