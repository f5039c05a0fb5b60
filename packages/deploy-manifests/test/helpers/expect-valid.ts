import { expect } from 'vitest';
import { parse } from 'yaml';
import { bundleProblems, type KubeObject, validateObject } from '../../src/index.js';
import { schemaErrors } from './schemas.js';

/** Generated objects are walked freely in assertions; this is the one loose type the tests use. */
// biome-ignore lint/suspicious/noExplicitAny: assertions index into generated YAML-shaped objects.
export type Loose = any;

const CRD_KINDS = ['TracingPolicy', 'TracingPolicyNamespaced', 'Vizier'] as const;

/** Every upstream-schema error of the objects: CRDs for custom resources, OBI's JSON Schema for Beyla configs. */
export function upstreamErrors(objects: readonly KubeObject[]): string[] {
  const errors: string[] = [];
  for (const o of objects) {
    const crd = CRD_KINDS.find((k) => k === o.kind);
    if (crd) errors.push(...schemaErrors(crd, o).map((e) => `${o.kind}/${o.metadata.name}: ${e}`));
    if (
      o.kind === 'ConfigMap' &&
      o.metadata.labels?.['app.kubernetes.io/component'] === 'ebpf-instrumentation'
    ) {
      for (const [file, text] of Object.entries(o.data as Record<string, string>)) {
        errors.push(...schemaErrors('obi-config', parse(text)).map((e) => `${file}: ${e}`));
      }
    }
  }
  return errors;
}

/** Asserts each object passes its Kubernetes schema (no unknown fields) and its upstream CRD/config schema. */
export function expectObjectsValid(objects: readonly KubeObject[]): void {
  expect(objects.flatMap((o) => validateObject(o))).toEqual([]);
  expect(upstreamErrors(objects)).toEqual([]);
}

/** As {@link expectObjectsValid}, plus every cross-reference in the bundle. */
export function expectBundleValid(objects: readonly KubeObject[]): void {
  expect(bundleProblems(objects)).toEqual([]);
  expect(upstreamErrors(objects)).toEqual([]);
}

/** Runs `fn` and returns the ManifestError it throws (fails the test if it does not throw one). */
export function catchError(fn: () => unknown): {
  code: string;
  field: string;
  allowed?: readonly string[];
  message: string;
} {
  try {
    fn();
  } catch (e) {
    expect((e as Error).name).toBe('ManifestError');
    return e as { code: string; field: string; allowed?: readonly string[]; message: string };
  }
  throw new Error('expected a ManifestError, nothing was thrown');
}
