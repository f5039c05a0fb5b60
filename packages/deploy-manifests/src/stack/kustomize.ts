import type { KubeObject } from '../common.js';
import { toYaml } from '../yaml.js';
import type { Bundle } from './stack.js';

/**
 * The bundle as a kustomize tree: a root `kustomization.yaml` listing `namespace.yaml` and one folder per tool,
 * each with its own `kustomization.yaml` and one file per object (`<kind>-<name>.yaml`). Keys are POSIX paths
 * relative to the output directory; `kubectl apply -k <dir>` applies it.
 *
 * @example
 * Object.keys(kustomizeFiles(stack({ otlpEndpoint: 'https://o.example.com:4317', tools: [] })))
 * // ['namespace.yaml', 'collector/kustomization.yaml', 'collector/serviceaccount-otel-collector.yaml', ..., 'kustomization.yaml']
 */
export function kustomizeFiles(bundle: Bundle): Record<string, string> {
  const files: Record<string, string> = {};
  const kustomization = (resources: string[]) =>
    toYaml([{ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources }]);
  const fileName = (o: KubeObject) => `${o.kind.toLowerCase()}-${o.metadata.name}.yaml`;
  files['namespace.yaml'] = toYaml(bundle.byTool.namespace);
  const roots = ['namespace.yaml'];
  for (const [tool, objects] of Object.entries(bundle.byTool)) {
    if (tool === 'namespace' || objects.length === 0) continue;
    const names: string[] = [];
    for (const o of objects) {
      // Same kind and name in two namespaces (Pixie's own namespace) must not overwrite each other.
      let name = fileName(o);
      if (names.includes(name)) name = `${o.metadata.namespace}-${name}`;
      names.push(name);
      files[`${tool}/${name}`] = toYaml([o]);
    }
    files[`${tool}/kustomization.yaml`] = kustomization(names);
    roots.push(tool);
  }
  files['kustomization.yaml'] = kustomization(roots);
  return files;
}
