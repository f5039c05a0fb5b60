import { checkNumberOption, VigilInputError } from '../errors.js';
import type { PolicyMatch, ResponseAction, ResponsePolicy } from './types.js';

const ACTIONS = ['webhook', 'scale', 'restart', 'exec'] as const;
const KINDS = ['Deployment', 'StatefulSet'] as const;

function text(field: string, v: unknown): string {
  if (typeof v !== 'string' || v === '') {
    throw new VigilInputError(
      'INVALID_OPTION',
      `${field} must be a non-empty string; got ${String(v)}.`,
      field,
    );
  }
  return v;
}

function checkMatch(field: string, m: PolicyMatch | undefined): void {
  if (m === undefined) return;
  if (typeof m !== 'object' || m === null) {
    throw new VigilInputError('INVALID_OPTION', `${field} must be an object of conditions.`, field);
  }
  if (m.severity !== undefined) text(`${field}.severity`, m.severity);
  for (const key of ['series', 'rootCause'] as const) {
    const v = m[key];
    if (v === undefined) continue;
    for (const [i, g] of (typeof v === 'string' ? [v] : [...v]).entries()) text(`${field}.${key}[${i}]`, g);
  }
  if (m.minDuration !== undefined) checkNumberOption(`${field}.minDuration`, m.minDuration, { min: 0 });
  if (m.etaBelow !== undefined) checkNumberOption(`${field}.etaBelow`, m.etaBelow, { min: 0 });
}

function checkAction(field: string, a: ResponseAction): void {
  if (typeof a !== 'object' || a === null || !ACTIONS.includes(a.type)) {
    throw new VigilInputError(
      'INVALID_OPTION',
      `${field}.type must be one of ${ACTIONS.join(', ')}; got ${String((a as { type?: unknown })?.type)}.`,
      `${field}.type`,
    );
  }
  if (a.type === 'webhook') {
    const url = text(`${field}.url`, a.url);
    if (!/^https?:\/\//.test(url)) {
      throw new VigilInputError(
        'INVALID_OPTION',
        `${field}.url must be an http(s) URL; got ${url}.`,
        `${field}.url`,
      );
    }
    if (a.timeoutMs !== undefined) checkNumberOption(`${field}.timeoutMs`, a.timeoutMs, { min: 1 });
  }
  if (a.type === 'scale' || a.type === 'restart') {
    const t = a.target;
    if (typeof t !== 'object' || t === null || !KINDS.includes(t.kind)) {
      throw new VigilInputError(
        'INVALID_OPTION',
        `${field}.target.kind must be Deployment or StatefulSet; got ${String(t?.kind)}.`,
        `${field}.target.kind`,
      );
    }
    text(`${field}.target.namespace`, t.namespace);
    text(`${field}.target.name`, t.name);
  }
  if (a.type === 'scale') {
    const min = checkNumberOption(`${field}.min`, a.min, { min: 0, integer: true });
    checkNumberOption(`${field}.max`, a.max, { min, integer: true });
    if (a.step !== undefined) checkNumberOption(`${field}.step`, a.step, { integer: true });
  }
  if (a.type === 'exec') {
    text(`${field}.command`, a.command);
    for (const [i, arg] of (a.args ?? []).entries()) {
      if (typeof arg !== 'string') {
        throw new VigilInputError('INVALID_OPTION', `${field}.args[${i}] must be a string.`, `${field}.args`);
      }
    }
    if (a.timeoutMs !== undefined) checkNumberOption(`${field}.timeoutMs`, a.timeoutMs, { min: 1 });
  }
}

/**
 * Checks response policies as they come from a config file, so that a mistake fails at start-up and not when
 * the first incident arrives.
 *
 * @throws {VigilInputError} `INVALID_OPTION` naming the field (e.g. `policies[1].action.max`), the rule and the value.
 * @example
 * validatePolicies([{ name: 'restart-on-leak', on: 'forecast', match: { etaBelow: 3_600_000 },
 *   action: { type: 'restart', target: { kind: 'Deployment', namespace: 'shop', name: '{service}' } } }]);
 */
export function validatePolicies(policies: readonly ResponsePolicy[]): void {
  if (!Array.isArray(policies)) {
    throw new VigilInputError(
      'INVALID_OPTION',
      'policies must be an array of response policies.',
      'policies',
    );
  }
  const names = new Set<string>();
  for (const [i, p] of policies.entries()) {
    const field = `policies[${i}]`;
    const name = text(`${field}.name`, p?.name);
    if (names.has(name)) {
      throw new VigilInputError(
        'INVALID_OPTION',
        `${field}.name '${name}' is used twice; names must be unique.`,
        `${field}.name`,
      );
    }
    names.add(name);
    if (p.on !== 'incident' && p.on !== 'forecast') {
      throw new VigilInputError(
        'INVALID_OPTION',
        `${field}.on must be 'incident' or 'forecast'; got ${String(p.on)}.`,
        `${field}.on`,
      );
    }
    checkMatch(`${field}.match`, p.match);
    checkAction(`${field}.action`, p.action);
    if (p.cooldown !== undefined) checkNumberOption(`${field}.cooldown`, p.cooldown, { min: 0 });
  }
}
