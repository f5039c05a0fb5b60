import type { KubeObject } from '../common.js';
import { ManifestError } from '../errors.js';
import { type Problem, validateObject } from './kubernetes.js';
import { checkPodSecurity } from './pod-security.js';
import { checkReferences } from './references.js';

/**
 * Every problem in a bundle: Kubernetes schema violations and unknown fields of each object, broken
 * cross-references, then pods their namespace's Pod Security level would reject. An empty array means the bundle
 * is consistent.
 *
 * @example
 * bundleProblems(stack({ otlpEndpoint: 'https://otlp.example.com:4317' }).objects) // []
 */
export function bundleProblems(objects: readonly KubeObject[]): Problem[] {
  const problems = objects.flatMap((o) => validateObject(o));
  const names = new Map<string, number>();
  objects.forEach((o, i) => {
    const id = `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    if (names.has(id)) {
      problems.push({
        code: 'BROKEN_REFERENCE',
        field: id,
        message: `is defined twice (objects ${names.get(id)} and ${i}).`,
      });
    }
    names.set(id, i);
  });
  return [...problems, ...checkReferences(objects), ...checkPodSecurity(objects)];
}

/**
 * Throws unless {@link bundleProblems} is empty; the error carries the first problem's code and field and lists
 * them all in its message.
 *
 * @throws {ManifestError} `SCHEMA_VIOLATION`, `BROKEN_REFERENCE` or `POD_SECURITY`.
 * @example
 * validateBundle(stack({ otlpEndpoint: 'https://otlp.example.com:4317' }).objects) // returns quietly
 */
export function validateBundle(objects: readonly KubeObject[]): void {
  const problems = bundleProblems(objects);
  if (problems.length === 0) return;
  const list = problems.map((p) => `  - ${p.field}: ${p.message}`).join('\n');
  throw new ManifestError(problems[0].code, `${problems.length} problem(s) in the bundle:\n${list}`, {
    field: problems[0].field,
  });
}
