import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { applyCommands, kustomizeFiles, stack } from '../../src/index.js';

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
    for (const dir of [...root.resources.slice(1), 'custom-resources']) {
      const k = parse(files[`${dir}/kustomization.yaml`]);
      for (const r of k.resources) expect(files[`${dir}/${r}`], `${dir}/${r}`).toBeDefined();
      const inDir = Object.keys(files).filter(
        (f) => f.startsWith(`${dir}/`) && !f.endsWith('kustomization.yaml'),
      );
      expect(k.resources.map((r: string) => `${dir}/${r}`).sort()).toEqual(inDir.sort());
    }
    expect(files['beyla/daemonset-beyla.yaml']).toContain('kind: DaemonSet');
    // The Vizier needs Pixie's CRD: it goes to the second stage, not into the pixie folder.
    expect(parse(files['custom-resources/kustomization.yaml']).resources).toEqual([
      'pixie-vizier-vizier.yaml',
    ]);
    expect(files['pixie/vizier-vizier.yaml']).toBeUndefined();
    // Every object appears exactly once across the tree.
    const objects = Object.entries(files)
      .filter(([f]) => !f.endsWith('kustomization.yaml'))
      .flatMap(([, text]) => parseAllDocuments(text).map((d) => d.toJS()));
    expect(objects).toHaveLength(bundle.objects.length);
    expect(new Set(objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).size).toBe(
      objects.length,
    );
  });

  it('puts TracingPolicies in the second stage and waits for exactly the CRDs they need', () => {
    const bundle = stack({
      otlpEndpoint: 'https://o.example.com',
      tools: ['tetragon', 'pixie'],
      tetragon: { policies: ['sensitive-files'] },
      pixie: { deployKey: 'k', clusterName: 'c' },
    });
    const files = kustomizeFiles(bundle);
    expect(parse(files['custom-resources/kustomization.yaml']).resources).toEqual([
      'tetragon-tracingpolicy-vigil-sensitive-files.yaml',
      'pixie-vizier-vizier.yaml',
    ]);
    expect(applyCommands(bundle, 'out')).toEqual([
      'kubectl apply -k out',
      'kubectl wait --for condition=established --timeout=180s crd/tracingpolicies.cilium.io crd/viziers.px.dev',
      'kubectl apply -k out/custom-resources',
    ]);
    expect(applyCommands(stack({ otlpEndpoint: 'https://o.example.com', tools: ['beyla'] }), 'out')).toEqual([
      'kubectl apply -k out',
    ]);
  });
});
