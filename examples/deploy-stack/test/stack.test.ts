import { describe, expect, it } from 'vitest';
import { exampleStack } from '../stack.js';

describe('deploy-stack example', () => {
  it('builds a consistent stack with the custom namespaced policy', () => {
    const bundle = exampleStack('https://otlp.example.com:4317');
    const policies = bundle.byTool.tetragon.filter((o) => o.kind.startsWith('TracingPolicy'));
    expect(policies.map((p) => `${p.kind}/${p.metadata.name}`)).toEqual([
      'TracingPolicy/vigil-sensitive-files',
      'TracingPolicy/vigil-privilege-escalation',
      'TracingPolicyNamespaced/shop-block-ptrace',
    ]);
    expect(bundle.byTool.pixie).toEqual([]);
    // Stack labels reach every object, the hand-built policy included.
    expect(bundle.objects.filter((o) => o.metadata.labels?.['example.com/team'] !== 'sre')).toEqual([]);
    expect(bundle.objects.length).toBeGreaterThan(30);
  });
});
