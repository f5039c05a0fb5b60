import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { kustomizeFiles, stack } from '../../src/index.js';

describe('kustomizeFiles()', () => {
  it('lays out one folder per tool, one file per object, and kustomizations that list exactly those files', () => {
    const bundle = stack({
      namespace: 'obs',
      otlpEndpoint: 'https://otlp.example.com:4317',
      tools: ['beyla', 'parca', 'pixie'],
      pixie: { deployKey: 'k', clusterName: 'c' },
    });
    const files = kustomizeFiles(bundle);
    const root = parse(files['kustomization.yaml']);
    expect(root).toEqual({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: ['namespace.yaml', 'collector', 'beyla', 'parca', 'pixie'],
    });
    for (const dir of root.resources.slice(1)) {
      const k = parse(files[`${dir}/kustomization.yaml`]);
      for (const r of k.resources) expect(files[`${dir}/${r}`], `${dir}/${r}`).toBeDefined();
      const inDir = Object.keys(files).filter(
        (f) => f.startsWith(`${dir}/`) && !f.endsWith('kustomization.yaml'),
      );
      expect(k.resources.map((r: string) => `${dir}/${r}`).sort()).toEqual(inDir.sort());
    }
    expect(files['beyla/daemonset-beyla.yaml']).toContain('kind: DaemonSet');
    // Every object appears exactly once across the tree.
    const objects = Object.entries(files)
      .filter(([f]) => !f.endsWith('kustomization.yaml'))
      .flatMap(([, text]) => parseAllDocuments(text).map((d) => d.toJS()));
    expect(objects).toHaveLength(bundle.objects.length);
    expect(new Set(objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).size).toBe(
      objects.length,
    );
  });
});
