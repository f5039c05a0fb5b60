import {
  AppsV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Scale,
} from '@kubernetes/client-node';
import type { ActionExecutor, RestartAction, ScaleAction, WorkloadTarget } from '@vigil/core';

/** Options of the Kubernetes executors. */
export interface KubernetesExecutorOptions {
  /** The cluster to talk to. Default: `loadFromDefault()` (in-cluster service account, else `~/.kube/config`). */
  readonly kubeConfig?: KubeConfig;
}

/** The annotation `kubectl rollout restart` sets on the pod template; changing it rolls every pod. */
export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';

function api(options: KubernetesExecutorOptions): AppsV1Api {
  const kc = options.kubeConfig ?? new KubeConfig();
  if (!options.kubeConfig) kc.loadFromDefault();
  return kc.makeApiClient(AppsV1Api);
}

const describe = (t: WorkloadTarget) => `${t.kind} ${t.namespace}/${t.name}`;

/** Reads a workload's scale subresource (`GET …/deployments/{name}/scale`). */
async function readScale(apps: AppsV1Api, t: WorkloadTarget): Promise<V1Scale> {
  const args = { name: t.name, namespace: t.namespace };
  return t.kind === 'Deployment'
    ? apps.readNamespacedDeploymentScale(args)
    : apps.readNamespacedStatefulSetScale(args);
}

/** The replica count a scale action moves to: current + step, kept within [min, max]. */
export function scaledReplicas(current: number, action: ScaleAction): number {
  return Math.min(action.max, Math.max(action.min, current + (action.step ?? 1)));
}

/**
 * Scales a Deployment or StatefulSet through its `scale` subresource: reads the current replicas, adds the
 * action's `step` within `[min, max]` and writes the result with a merge patch of `spec.replicas` (as
 * `kubectl scale` does). At a bound it changes nothing and says so. Needs `get` and `patch` on
 * `deployments/scale` (or `statefulsets/scale`).
 *
 * @example
 * const executors = [kubernetesScaleExecutor(), kubernetesRestartExecutor(), webhookExecutor(), execExecutor()];
 */
export function kubernetesScaleExecutor(
  options: KubernetesExecutorOptions = {},
): ActionExecutor<ScaleAction> {
  let apps: AppsV1Api | undefined;
  const client = () => (apps ??= api(options));
  return {
    type: 'scale',
    plan: async (action) => {
      const current = (await readScale(client(), action.target)).spec?.replicas ?? 0;
      const next = scaledReplicas(current, action);
      return next === current
        ? `would leave ${describe(action.target)} at ${current} replicas (bound ${action.max})`
        : `would scale ${describe(action.target)} from ${current} to ${next} replicas`;
    },
    execute: async (action) => {
      const t = action.target;
      const current = (await readScale(client(), t)).spec?.replicas ?? 0;
      const next = scaledReplicas(current, action);
      if (next === current) return `${describe(t)} stays at ${current} replicas: at its bound`;
      const args = { name: t.name, namespace: t.namespace, body: { spec: { replicas: next } } };
      const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
      const result =
        t.kind === 'Deployment'
          ? await client().patchNamespacedDeploymentScale(args, merge)
          : await client().patchNamespacedStatefulSetScale(args, merge);
      return `scaled ${describe(t)} from ${current} to ${result.spec?.replicas ?? next} replicas`;
    },
  };
}

/**
 * Restarts a Deployment or StatefulSet the way `kubectl rollout restart` does: a strategic merge patch that
 * sets the pod template's `kubectl.kubernetes.io/restartedAt` annotation to now, so the controller rolls every
 * pod under its usual rollout strategy. Needs `patch` on `deployments` (or `statefulsets`).
 */
export function kubernetesRestartExecutor(
  options: KubernetesExecutorOptions & { readonly now?: () => Date } = {},
): ActionExecutor<RestartAction> {
  let apps: AppsV1Api | undefined;
  const client = () => (apps ??= api(options));
  const now = options.now ?? (() => new Date());
  return {
    type: 'restart',
    plan: async (action) => {
      await readScale(client(), action.target);
      return `would restart ${describe(action.target)} (rolling)`;
    },
    execute: async (action) => {
      const t = action.target;
      const at = now().toISOString();
      const body = { spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: at } } } } };
      const args = { name: t.name, namespace: t.namespace, body };
      const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
      if (t.kind === 'Deployment') await client().patchNamespacedDeployment(args, strategic);
      else await client().patchNamespacedStatefulSet(args, strategic);
      return `restarted ${describe(t)} (${RESTARTED_AT_ANNOTATION}=${at})`;
    },
  };
}
