import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';

// The upstream schemas live beside the repository (never copied into it): <repo>/../shared/schemas.
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const SCHEMA_DIR = join(process.env.VIGIL_SHARED_DIR ?? join(repoRoot, '..', 'shared'), 'schemas');

function read(file: string): string {
  const path = join(SCHEMA_DIR, file);
  // Fail, never skip: a missing schema must turn CI red, not silently drop the check.
  if (!existsSync(path)) {
    throw new Error(
      `Upstream schema ${path} is missing. Put the shared folder beside the repo or set VIGIL_SHARED_DIR.`,
    );
  }
  return readFileSync(path, 'utf8');
}

type Schema = Record<string, unknown>;

/**
 * Mirrors what the API server does with a structural CRD schema: unknown fields are pruned, so a generator that
 * writes one has a bug. Objects with declared properties therefore get `additionalProperties: false` unless they
 * preserve unknown fields. Kubernetes-only keywords are dropped (ajv cannot evaluate CEL rules).
 */
function closeObjects(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closeObjects);
  if (node === null || typeof node !== 'object') return node;
  const out: Schema = {};
  for (const [k, v] of Object.entries(node as Schema)) {
    if (k.startsWith('x-kubernetes-') && k !== 'x-kubernetes-preserve-unknown-fields') continue;
    // Descriptions do not validate anything and make compiling the large CRDs slower.
    if (k === 'description' && typeof v === 'string') continue;
    // Property names are data, not keywords: recurse into their schemas but keep the names.
    out[k] =
      k === 'properties' || k === '$defs'
        ? Object.fromEntries(Object.entries(v as Schema).map(([p, s]) => [p, closeObjects(s)]))
        : closeObjects(v);
  }
  const preserve = out['x-kubernetes-preserve-unknown-fields'] === true;
  delete out['x-kubernetes-preserve-unknown-fields'];
  if (
    out.properties &&
    out.additionalProperties === undefined &&
    out.patternProperties === undefined &&
    !preserve
  ) {
    out.additionalProperties = false;
  }
  return out;
}

const formats = {
  int32: { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 },
  int64: { type: 'number', validate: (n: number) => Number.isInteger(n) },
  byte: /^[A-Za-z0-9+/]*={0,2}$/,
  'date-time': (s: string) => !Number.isNaN(Date.parse(s)),
  uri: (s: string) => URL.canParse(s),
  glob: true,
  ip: (s: string) => /^[0-9a-fA-F.:]+$/.test(s),
  regex: (s: string) => {
    try {
      new RegExp(s);
      return true;
    } catch {
      return false;
    }
  },
} as const;

function crdValidator(file: string, kind: string): ValidateFunction {
  const crd = parse(read(file)) as {
    spec: { names: { kind: string }; versions: { name: string; schema: { openAPIV3Schema: Schema } }[] };
  };
  if (crd.spec.names.kind !== kind)
    throw new Error(`${file} defines ${crd.spec.names.kind}, expected ${kind}`);
  const ajv = new Ajv({ allErrors: true, strict: false, formats });
  const schema = closeObjects(crd.spec.versions[0].schema.openAPIV3Schema) as Schema;
  return ajv.compile(schema);
}

type SchemaName = 'TracingPolicy' | 'TracingPolicyNamespaced' | 'Vizier' | 'obi-config';

// Compiled lazily, one at a time: the Tetragon CRDs are ~430 kB each and take seconds to compile.
const cache = new Map<SchemaName, ValidateFunction>();
const compilers: Record<SchemaName, () => ValidateFunction> = {
  TracingPolicy: () => crdValidator('tetragon-cilium.io_tracingpolicies.yaml', 'TracingPolicy'),
  TracingPolicyNamespaced: () =>
    crdValidator('tetragon-cilium.io_tracingpoliciesnamespaced.yaml', 'TracingPolicyNamespaced'),
  Vizier: () => crdValidator('pixie-px.dev_viziers.yaml', 'Vizier'),
  'obi-config': () =>
    new Ajv2020({ allErrors: true, strict: false, formats }).compile(
      closeObjects(JSON.parse(read('obi-config-schema.json'))) as Schema,
    ),
};

/** The compiled validator of one upstream schema. */
export function validator(name: SchemaName): ValidateFunction {
  let v = cache.get(name);
  if (!v) {
    v = compilers[name]();
    cache.set(name, v);
  }
  return v;
}

/** Errors of `value` against the named upstream schema, as readable strings; [] when valid. */
export function schemaErrors(name: SchemaName, value: unknown): string[] {
  const v = validator(name);
  return v(value)
    ? []
    : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}
