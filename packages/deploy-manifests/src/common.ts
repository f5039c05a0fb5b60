import type { IResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';
import type { IToleration } from 'kubernetes-models/v1/Toleration';
import { ManifestError } from './errors.js';

/** A Kubernetes object as the generators return it: typed by kind, always with `apiVersion`, `kind` and `metadata`. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

/**
 * Options every generator shares, so one `stack()` call gives every object the same namespace, labels,
 * scheduling priority and tolerations.
 */
export interface CommonOptions {
  /** Namespace of every namespaced object; a DNS-1123 label. Default `vigil-observability`. */
  namespace?: string;
  /** Extra labels on every object and pod; keys and values must be valid Kubernetes label syntax. */
  labels?: Record<string, string>;
  /** PriorityClass of every pod, e.g. `system-node-critical` for node agents. Default: none. */
  priorityClassName?: string;
  /** Tolerations of every pod. Default for node agents: tolerate everything, so each node is observed. */
  tolerations?: IToleration[];
}

/** Requests and limits of one container; quantities use Kubernetes syntax (`100m`, `256Mi`). */
export interface Resources {
  requests?: { cpu?: string; memory?: string };
  limits?: { cpu?: string; memory?: string };
}

/** Namespace used when none is given: `vigil-observability`. */
export const DEFAULT_NAMESPACE = 'vigil-observability';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
// Kubernetes resource.Quantity: a decimal number with an optional binary or decimal SI suffix.
const QUANTITY = /^(\d+(\.\d+)?|\.\d+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

/** Throws unless `value` is a DNS-1123 label (≤ 63 chars), the rule for namespaces and most names. */
export function assertDnsLabel(field: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length > 63 || !DNS1123_LABEL.test(value)) {
    throw new ManifestError(
      'INVALID_OPTION',
      `${JSON.stringify(value)} is not a DNS-1123 label; use 1-63 lower-case letters, digits or '-', starting and ending with a letter or digit.`,
      { field },
    );
  }
}

/** Throws unless `value` is a DNS-1123 subdomain (≤ 253 chars), the rule for object names such as a PriorityClass. */
export function assertDnsSubdomain(field: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length > 253 || !DNS1123_SUBDOMAIN.test(value)) {
    throw new ManifestError(
      'INVALID_OPTION',
      `${JSON.stringify(value)} is not a DNS-1123 subdomain; use lower-case letters, digits, '-' and '.'.`,
      { field },
    );
  }
}

/** Throws unless `value` is one of `allowed`. */
export function assertOneOf<T extends string>(
  field: string,
  value: unknown,
  allowed: readonly T[],
): asserts value is T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw new ManifestError('INVALID_OPTION', `${JSON.stringify(value)} is not supported.`, {
      field,
      allowed,
    });
  }
}

/** Throws unless `value` is an integer in [min, max]. */
export function assertInteger(
  field: string,
  value: unknown,
  min: number,
  max: number,
): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ManifestError(
      'INVALID_OPTION',
      `${String(value)} must be an integer between ${min} and ${max}.`,
      { field },
    );
  }
}

/** Throws unless `labels` is a map of valid Kubernetes label names to valid label values. */
export function assertLabels(field: string, labels: unknown): asserts labels is Record<string, string> {
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) {
    throw new ManifestError('INVALID_OPTION', 'must be an object of label names to string values.', {
      field,
    });
  }
  for (const [key, value] of Object.entries(labels)) {
    const slash = key.lastIndexOf('/');
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
    if (
      name.length > 63 ||
      !LABEL_NAME.test(name) ||
      (prefix !== undefined && !DNS1123_SUBDOMAIN.test(prefix))
    ) {
      throw new ManifestError(
        'INVALID_OPTION',
        'is not a valid label name; use [prefix/]name with a name of 1-63 alphanumerics, - _ or . and a DNS prefix.',
        { field: `${field}.${key}` },
      );
    }
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
      throw new ManifestError(
        'INVALID_OPTION',
        `${JSON.stringify(value)} is not a valid label value; use up to 63 alphanumerics, - _ or ., starting and ending alphanumeric.`,
        { field: `${field}.${key}` },
      );
    }
  }
}

/** Throws unless every quantity in `resources` parses as a Kubernetes quantity and no request exceeds its limit. */
export function assertResources(field: string, resources: unknown): asserts resources is Resources {
  if (resources === null || typeof resources !== 'object') {
    throw new ManifestError('INVALID_OPTION', 'must be an object with optional requests and limits.', {
      field,
    });
  }
  const r = resources as Record<string, unknown>;
  for (const part of Object.keys(r)) assertOneOf(`${field}.${part}`, part, ['requests', 'limits']);
  for (const part of ['requests', 'limits'] as const) {
    const group = r[part];
    if (group === undefined) continue;
    if (group === null || typeof group !== 'object') {
      throw new ManifestError('INVALID_OPTION', 'must be an object with cpu and/or memory.', {
        field: `${field}.${part}`,
      });
    }
    for (const [name, q] of Object.entries(group)) {
      assertOneOf(`${field}.${part}.${name}`, name, ['cpu', 'memory']);
      if (typeof q !== 'string' || !QUANTITY.test(q)) {
        throw new ManifestError(
          'INVALID_OPTION',
          `${JSON.stringify(q)} is not a Kubernetes quantity; write e.g. '100m' for CPU or '256Mi' for memory.`,
          { field: `${field}.${part}.${name}` },
        );
      }
    }
  }
  const req = (r.requests ?? {}) as Record<string, string>;
  const lim = (r.limits ?? {}) as Record<string, string>;
  for (const name of ['cpu', 'memory']) {
    if (
      req[name] !== undefined &&
      lim[name] !== undefined &&
      parseQuantity(req[name]) > parseQuantity(lim[name])
    ) {
      throw new ManifestError(
        'INVALID_OPTION',
        `request ${req[name]} exceeds limit ${lim[name]}; Kubernetes rejects such a pod. Lower the request or raise the limit.`,
        { field: `${field}.requests.${name}` },
      );
    }
  }
}

const SUFFIX: Record<string, number> = {
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** Value of a Kubernetes quantity in base units (cores or bytes): `parseQuantity('250m') === 0.25`. */
export function parseQuantity(q: string): number {
  const m = QUANTITY.exec(q);
  if (!m)
    throw new ManifestError('INVALID_OPTION', `${JSON.stringify(q)} is not a Kubernetes quantity.`, {
      field: 'quantity',
    });
  return Number(m[1]) * (m[3] ? SUFFIX[m[3]] : 1);
}

/** Converts {@link Resources} to the Kubernetes container field, dropping empty groups. */
export function toResourceRequirements(r: Resources): IResourceRequirements {
  const out: IResourceRequirements = {};
  if (r.requests && Object.keys(r.requests).length > 0) out.requests = { ...r.requests };
  if (r.limits && Object.keys(r.limits).length > 0) out.limits = { ...r.limits };
  return out;
}

/** Resolved common options with defaults applied and validated. */
export interface Resolved {
  namespace: string;
  labels: Record<string, string>;
  priorityClassName?: string;
  tolerations?: IToleration[];
}

const TOLERATION_OPERATORS = ['Exists', 'Equal'] as const;
const TOLERATION_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;

/** Validates and fills in {@link CommonOptions}; `field` prefixes error paths (e.g. `beyla`). */
export function resolveCommon(options: CommonOptions, field = ''): Resolved {
  const at = (name: string) => (field ? `${field}.${name}` : name);
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  assertDnsLabel(at('namespace'), namespace);
  const labels = options.labels ?? {};
  assertLabels(at('labels'), labels);
  const out: Resolved = { namespace, labels };
  if (options.priorityClassName !== undefined) {
    assertDnsSubdomain(at('priorityClassName'), options.priorityClassName);
    out.priorityClassName = options.priorityClassName;
  }
  if (options.tolerations !== undefined) {
    if (!Array.isArray(options.tolerations)) {
      throw new ManifestError('INVALID_OPTION', 'must be an array of Kubernetes tolerations.', {
        field: at('tolerations'),
      });
    }
    options.tolerations.forEach((t, i) => {
      if (t.operator !== undefined)
        assertOneOf(at(`tolerations[${i}].operator`), t.operator, TOLERATION_OPERATORS);
      if (t.effect !== undefined) assertOneOf(at(`tolerations[${i}].effect`), t.effect, TOLERATION_EFFECTS);
      if (t.operator === 'Exists' && t.value !== undefined) {
        throw new ManifestError(
          'INVALID_OPTION',
          "must be empty when operator is 'Exists'; drop the value or use operator 'Equal'.",
          { field: at(`tolerations[${i}].value`) },
        );
      }
    });
    out.tolerations = options.tolerations;
  }
  return out;
}

/** The recommended `app.kubernetes.io/*` labels for one component, merged with the user's labels. */
export function componentLabels(
  common: Resolved,
  name: string,
  component: string,
  version: string,
): Record<string, string> {
  return {
    ...common.labels,
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/part-of': 'vigil',
    'app.kubernetes.io/managed-by': 'vigil-manifests',
    'app.kubernetes.io/version': version.slice(0, 63),
  };
}

/** The minimal selector labels for one component: stable across versions so rolling upgrades keep matching. */
export function selectorLabels(name: string): Record<string, string> {
  return { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'vigil' };
}

/** Tag part of an image reference, used as the `app.kubernetes.io/version` label. */
export function imageTag(image: string): string {
  const at = image.lastIndexOf(':');
  return at > image.lastIndexOf('/') ? image.slice(at + 1) : 'latest';
}

/** Pod-level scheduling fields shared by every generated pod. */
export function podScheduling(common: Resolved, nodeAgent: boolean) {
  const tolerations = common.tolerations ?? (nodeAgent ? [{ operator: 'Exists' }] : undefined);
  return {
    ...(common.priorityClassName ? { priorityClassName: common.priorityClassName } : {}),
    ...(tolerations ? { tolerations } : {}),
  };
}

/** Option names every generator accepts (the fields of {@link CommonOptions}). */
export const COMMON_KEYS = ['namespace', 'labels', 'priorityClassName', 'tolerations'] as const;

/** Throws unless `options` only has keys from `known`, so a typo never silently falls back to a default. */
export function assertKnownKeys(field: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new ManifestError('INVALID_OPTION', 'is not a known option.', {
        field: field ? `${field}.${key}` : key,
        allowed: known,
      });
    }
  }
}
