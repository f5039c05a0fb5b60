import { describe, expect, it } from 'vitest';
import { parseQuantity, stack } from '../src/index.js';
import { catchError } from './helpers/expect-valid.js';

describe('Kubernetes quantities and names', () => {
  it('parses quantities in base units (cores, bytes)', () => {
    expect(parseQuantity('250m')).toBeCloseTo(0.25, 12);
    expect(parseQuantity('2')).toBe(2);
    expect(parseQuantity('1.5')).toBe(1.5);
    expect(parseQuantity('512Mi')).toBe(536_870_912);
    expect(parseQuantity('1Gi')).toBe(1_073_741_824);
    expect(parseQuantity('1G')).toBe(1e9);
    expect(parseQuantity('100k')).toBe(100_000);
    expect(catchError(() => parseQuantity('1 Gi')).code).toBe('INVALID_OPTION');
    expect(catchError(() => parseQuantity('-1')).code).toBe('INVALID_OPTION');
    expect(catchError(() => parseQuantity('1GB')).code).toBe('INVALID_OPTION');
  });

  it('applies the Kubernetes rules for namespaces, label keys and values, and tolerations', () => {
    const ok = { otlpEndpoint: 'https://o.example.com', tools: [] };
    expect(stack({ ...ok, namespace: 'a'.repeat(63), agentNamespace: 'agents' }).namespace).toHaveLength(63);
    // The default agent namespace, <namespace>-agents, must itself be a DNS label.
    expect(catchError(() => stack({ ...ok, namespace: 'a'.repeat(63) })).field).toBe('agentNamespace');
    expect(catchError(() => stack({ ...ok, namespace: 'a'.repeat(64) })).field).toBe('namespace');
    expect(catchError(() => stack({ ...ok, namespace: '-obs' })).field).toBe('namespace');
    expect(
      stack({ ...ok, labels: { 'example.com/team': 'a.b_c-d', empty: '' } }).objects[0].metadata.labels,
    ).toMatchObject({
      'example.com/team': 'a.b_c-d',
      empty: '',
    });
    expect(catchError(() => stack({ ...ok, labels: { 'Bad_Prefix!/x': 'v' } })).field).toBe(
      'labels.Bad_Prefix!/x',
    );
    expect(catchError(() => stack({ ...ok, labels: { k: 'x'.repeat(64) } })).field).toBe('labels.k');
    const e = catchError(() => stack({ ...ok, tolerations: [{ operator: 'Maybe' as never }] }));
    expect([e.field, e.allowed]).toEqual(['tolerations[0].operator', ['Exists', 'Equal']]);
    expect(catchError(() => stack({ ...ok, tolerations: [{ effect: 'Evict' as never }] })).allowed).toEqual([
      'NoSchedule',
      'PreferNoSchedule',
      'NoExecute',
    ]);
    expect(catchError(() => stack({ ...ok, priorityClassName: 'UPPER' })).field).toBe('priorityClassName');
  });
});
