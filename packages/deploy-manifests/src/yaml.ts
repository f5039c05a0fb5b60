import { stringify } from 'yaml';

/**
 * Serialises objects as one multi-document YAML stream (`---` between documents), the form `kubectl apply -f`
 * reads. Long strings are never folded so embedded configs stay byte-identical.
 *
 * @example
 * toYaml([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'obs' } }])
 * // 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: obs\n'
 */
export function toYaml(objects: readonly object[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
}

/** Serialises one tool config (Beyla, Collector, Parca) for a ConfigMap key. */
export function configYaml(config: unknown): string {
  return stringify(config, { lineWidth: 0 });
}
