import { ObjectMeta } from '@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta';
import type { ModelConstructor } from '@kubernetes-models/base';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { KubeObject } from '../common.js';

/** One thing wrong with one object. */
export interface Problem {
  code: 'SCHEMA_VIOLATION' | 'BROKEN_REFERENCE' | 'POD_SECURITY';
  /** `Kind/namespace/name` of the object, then the JSON path inside it, e.g. `DaemonSet/obs/beyla:/spec/template`. */
  field: string;
  message: string;
}

// biome-ignore lint/suspicious/noExplicitAny: the model constructors are generic over their own data types.
const MODELS: Record<string, ModelConstructor<any>> = {
  'apps/v1/DaemonSet': DaemonSet,
  'apps/v1/Deployment': Deployment,
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
};

/** Kinds whose full schema is checked here; custom resources (TracingPolicy, Vizier) are checked by their CRD. */
export const VALIDATED_KINDS: readonly string[] = Object.keys(MODELS);

/** `Kind/namespace/name` of an object, the prefix of every problem's field. */
export function objectId(o: KubeObject): string {
  return `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? '?'}`;
}

/**
 * Wraps `root` so every property the schema validator reads is recorded. The kubernetes-models validators are
 * compiled from the OpenAPI schema and read exactly the properties the schema declares; an object whose keys are
 * enumerated is a map (labels, ConfigMap data) and all its keys are legal. Any key never read is unknown to the
 * schema — the field the API server would prune or reject.
 */
function track(root: unknown): { proxy: unknown; unknown(): string[] } {
  const read = new WeakMap<object, Set<PropertyKey>>();
  const enumerated = new WeakSet<object>();
  const proxies = new WeakMap<object, object>();
  const wrap = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return value;
    const cached = proxies.get(value);
    if (cached) return cached;
    const target = value as object;
    const p = new Proxy(target, {
      get(t, key, receiver) {
        if (!read.has(t)) read.set(t, new Set());
        read.get(t)!.add(key);
        return wrap(Reflect.get(t, key, receiver));
      },
      ownKeys(t) {
        enumerated.add(t);
        return Reflect.ownKeys(t);
      },
    });
    proxies.set(target, p);
    return p;
  };
  const unknown = (): string[] => {
    const out: string[] = [];
    const walk = (value: unknown, path: string) => {
      if (value === null || typeof value !== 'object') return;
      if (Array.isArray(value)) {
        for (const [i, v] of value.entries()) walk(v, `${path}/${i}`);
        return;
      }
      const seen = read.get(value);
      const isMap = enumerated.has(value);
      for (const [key, child] of Object.entries(value)) {
        if (!isMap && !seen?.has(key)) out.push(`${path}/${key}`);
        else walk(child, `${path}/${key}`);
      }
    };
    walk(root, '');
    return out;
  };
  return { proxy: wrap(root), unknown };
}

function validateWith(model: { validate(): void }, object: unknown, id: string, base = ''): Problem[] {
  const { proxy, unknown } = track(object);
  const problems: Problem[] = [];
  try {
    // Call the model's validate with `this` bound to the tracking proxy; it validates `this`.
    model.validate.call(proxy);
  } catch (e) {
    const errors = (e as { errors?: { instancePath: string; message?: string }[] }).errors;
    for (const err of errors ?? [{ instancePath: '', message: String(e) }]) {
      problems.push({
        code: 'SCHEMA_VIOLATION',
        field: `${id}:${base}${err.instancePath || (base ? '' : '/')}`,
        message: err.message ?? 'invalid',
      });
    }
  }
  for (const path of unknown()) {
    problems.push({
      code: 'SCHEMA_VIOLATION',
      field: `${id}:${base}${path}`,
      message:
        'is not a field of this kind in the Kubernetes OpenAPI schema; the API server would drop or reject it.',
    });
  }
  return problems;
}

/**
 * Checks one object against the Kubernetes OpenAPI schema of its apiVersion and kind with `kubernetes-models`
 * (`.validate()`), and reports every field the schema does not define. Custom resources are checked for their
 * `metadata` only (their spec belongs to their CRD); an unsupported built-in kind is a problem.
 *
 * @example
 * validateObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, dta: {} })
 * // [{ code: 'SCHEMA_VIOLATION', field: 'ConfigMap//x:/dta', message: 'is not a field ...' }]
 */
export function validateObject(o: KubeObject): Problem[] {
  const id = objectId(o);
  const Model = MODELS[`${o.apiVersion}/${o.kind}`];
  if (Model) return validateWith(new Model(o), o, id);
  if (o.apiVersion.includes('.') && !o.apiVersion.endsWith('.k8s.io/v1')) {
    return validateWith(new ObjectMeta(o.metadata), o.metadata, id, '/metadata');
  }
  return [
    {
      code: 'SCHEMA_VIOLATION',
      field: id,
      message: `${o.apiVersion} ${o.kind} is not a kind this package generates.`,
    },
  ];
}
