import type { KubeObject } from '../common.js';
import { ManifestError } from '../errors.js';
import { toYaml } from '../yaml.js';
import type { Bundle } from './stack.js';

/** Folder of the second apply stage: custom resources whose CRDs the first stage's operators register. */
export const CUSTOM_RESOURCES_DIR = 'custom-resources';

// The CRD that defines each custom resource kind the generators emit (names as in the upstream CRDs).
const CRD_NAMES: Record<string, string> = {
  TracingPolicy: 'tracingpolicies.cilium.io',
  TracingPolicyNamespaced: 'tracingpoliciesnamespaced.cilium.io',
  Vizier: 'viziers.px.dev',
};

/** True for objects of a non-built-in API group (e.g. `cilium.io`, `px.dev`), which need their CRD first. */
export function isCustomResource(o: KubeObject): boolean {
  const slash = o.apiVersion.indexOf('/');
  const group = slash < 0 ? '' : o.apiVersion.slice(0, slash);
  return group.includes('.') && !group.endsWith('.k8s.io');
}

/**
 * The bundle as a kustomize tree in two stages. The root `kustomization.yaml` lists `namespace.yaml` and one
 * folder per tool (its own `kustomization.yaml`, one file per object, `<kind>-<name>.yaml`). Custom resources
 * (TracingPolicies, the Vizier) go to `custom-resources/`, applied once their CRDs exist — Tetragon's operator
 * registers its CRDs at start, and Pixie's come from Pixie's installer — because one `kubectl apply` cannot
 * create an object of a kind the API server does not know yet. Keys are POSIX paths relative to the output
 * directory.
 *
 * @example
 * const files = kustomizeFiles(stack({ otlpEndpoint: 'https://o.example.com:4317', tools: ['tetragon'] }));
 * files['custom-resources/kustomization.yaml'] // lists tetragon-tracingpolicy-vigil-sensitive-files.yaml, ...
 */
export function kustomizeFiles(bundle: Bundle): Record<string, string> {
  return kustomizeTree(bundle).files;
}

/** {@link kustomizeFiles}, and which of the files hold a Secret (written readable by the owner only). */
export function kustomizeTree(bundle: Bundle): { files: Record<string, string>; secrets: Set<string> } {
  const files: Record<string, string> = {};
  const secrets = new Set<string>();
  const kustomization = (resources: string[]) =>
    toYaml([{ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources }]);
  const fileName = (o: KubeObject) => `${o.kind.toLowerCase()}-${o.metadata.name}.yaml`;
  files['namespace.yaml'] = toYaml(bundle.byTool.namespace);
  const roots = ['namespace.yaml'];
  const custom: string[] = [];
  for (const [tool, objects] of Object.entries(bundle.byTool)) {
    if (tool === 'namespace' || objects.length === 0) continue;
    const names: string[] = [];
    for (const o of objects) {
      if (isCustomResource(o)) {
        const name = `${tool}-${fileName(o)}`;
        custom.push(name);
        files[`${CUSTOM_RESOURCES_DIR}/${name}`] = toYaml([o]);
        continue;
      }
      // Same kind and name in two namespaces (Pixie's own namespace) must not overwrite each other.
      let name = fileName(o);
      if (names.includes(name)) name = `${o.metadata.namespace}-${name}`;
      names.push(name);
      files[`${tool}/${name}`] = toYaml([o]);
      if (o.kind === 'Secret') secrets.add(`${tool}/${name}`);
    }
    files[`${tool}/kustomization.yaml`] = kustomization(names);
    roots.push(tool);
  }
  files['kustomization.yaml'] = kustomization(roots);
  if (custom.length > 0) files[`${CUSTOM_RESOURCES_DIR}/kustomization.yaml`] = kustomization(custom);
  return { files, secrets };
}

/**
 * The shell commands that apply a {@link kustomizeFiles} tree written to `dir`: the first stage, a wait for
 * each CRD the custom resources need, then the custom resources.
 *
 * @throws {ManifestError} `INVALID_OPTION` for a custom resource kind this package does not generate.
 * @example
 * applyCommands(bundle, './out') // ['kubectl apply -k ./out', 'kubectl wait --for condition=established ...', 'kubectl apply -k ./out/custom-resources']
 */
export function applyCommands(bundle: Bundle, dir: string): string[] {
  const crds = new Set<string>();
  for (const o of bundle.objects.filter(isCustomResource)) {
    const crd = CRD_NAMES[o.kind];
    if (!crd)
      throw new ManifestError('INVALID_OPTION', 'is a custom resource of no known CRD.', {
        field: `${o.kind}/${o.metadata.name}`,
      });
    crds.add(`crd/${crd}`);
  }
  if (crds.size === 0) return [`kubectl apply -k ${dir}`];
  return [
    `kubectl apply -k ${dir}`,
    `kubectl wait --for condition=established --timeout=180s ${[...crds].join(' ')}`,
    `kubectl apply -k ${dir}/${CUSTOM_RESOURCES_DIR}`,
  ];
}
