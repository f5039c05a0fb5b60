import { describe, expect, it } from 'vitest';
import { type KubeObject, validateObject } from '../../src/index.js';
import type { Loose } from '../helpers/expect-valid.js';

const deployment = (): KubeObject & { spec: Loose } => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'obs', labels: { app: 'web' } },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] },
    },
  },
});

describe('validateObject()', () => {
  it('accepts a valid object, including free-form maps (labels, ConfigMap data)', () => {
    expect(validateObject(deployment())).toEqual([]);
    expect(
      validateObject({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'c' },
        data: { 'any-key.yaml': 'x' },
      }),
    ).toEqual([]);
  });

  it('reports schema violations with the object and JSON path', () => {
    const d = deployment();
    d.spec.template.spec.containers[0].ports[0].containerPort = '80';
    delete d.spec.selector;
    const problems = validateObject(d);
    expect(problems.map((p) => p.field).sort()).toEqual([
      'Deployment/obs/web:/spec',
      'Deployment/obs/web:/spec/template/spec/containers/0/ports/0/containerPort',
    ]);
    expect(problems.every((p) => p.code === 'SCHEMA_VIOLATION')).toBe(true);
  });

  it('reports fields the schema does not define, at any depth (kubernetes-models alone does not)', () => {
    const d = deployment();
    d.spec.template.spec.hostPid = true; // the real field is hostPID
    d.spec.template.spec.containers[0].securityContext = { privilidged: true };
    (d.metadata as Loose).labell = 'x';
    expect(
      validateObject(d)
        .map((p) => p.field)
        .sort(),
    ).toEqual([
      'Deployment/obs/web:/metadata/labell',
      'Deployment/obs/web:/spec/template/spec/containers/0/securityContext/privilidged',
      'Deployment/obs/web:/spec/template/spec/hostPid',
    ]);
  });

  it('checks custom resources by metadata only and refuses unsupported built-in kinds', () => {
    expect(
      validateObject({
        apiVersion: 'cilium.io/v1alpha1',
        kind: 'TracingPolicy',
        metadata: { name: 'p' },
        spec: { any: 1 },
      }),
    ).toEqual([]);
    expect(
      validateObject({
        apiVersion: 'px.dev/v1alpha1',
        kind: 'Vizier',
        metadata: { name: 'v', nmespace: 'x' } as never,
      }),
    ).toEqual([expect.objectContaining({ field: 'Vizier//v:/metadata/nmespace' })]);
    expect(
      validateObject({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c' } })[0].message,
    ).toMatch(/not a kind this package generates/);
  });
});
