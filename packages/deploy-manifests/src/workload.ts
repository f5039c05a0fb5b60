import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import { podScheduling, type Resolved, selectorLabels } from './common.js';

/** What differs between the stack's servers (the collector, Vigil, the Parca server); see {@link serverDeployment}. */
export interface ServerDeploymentSpec {
  /** Name of the Deployment, its ServiceAccount and its selector. */
  name: string;
  /** Resolved common options: namespace, scheduling. */
  common: Resolved;
  /** Labels of the Deployment and its pods. */
  labels: Record<string, string>;
  /** Replica count. */
  replicas: number;
  /** One writer owns the pod's storage: roll out by `Recreate` so two never run at once. */
  singleWriter?: boolean;
  /** The non-root uid (and gid) the pod runs as. */
  uid: number;
  /** Seconds between SIGTERM and SIGKILL, when the default 30 is not the point. */
  terminationGracePeriodSeconds?: number;
  /** The one container, without its securityContext (always the restricted one). */
  container: Omit<IContainer, 'securityContext'>;
  volumes: IVolume[];
}

/**
 * A server of the stack as a Deployment that passes the Pod Security Standards' `restricted` profile: non-root
 * with a fixed uid, RuntimeDefault seccomp, no privilege escalation, every capability dropped, a read-only root
 * filesystem, and no service-account token (the servers never call the Kubernetes API).
 *
 * @example
 * serverDeployment({ name: 'parca', common, labels, replicas: 1, singleWriter: true, uid: 65534, container, volumes })
 *   .spec.template.spec.securityContext // { runAsNonRoot: true, runAsUser: 65534, ..., seccompProfile: { type: 'RuntimeDefault' } }
 */
export function serverDeployment(s: ServerDeploymentSpec): IDeployment & { spec: object } {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: s.name, namespace: s.common.namespace, labels: s.labels },
    spec: {
      replicas: s.replicas,
      ...(s.singleWriter ? { strategy: { type: 'Recreate' } } : {}),
      selector: { matchLabels: selectorLabels(s.name) },
      template: {
        metadata: { labels: s.labels },
        spec: {
          serviceAccountName: s.name,
          automountServiceAccountToken: false,
          ...podScheduling(s.common, false),
          ...(s.terminationGracePeriodSeconds !== undefined
            ? { terminationGracePeriodSeconds: s.terminationGracePeriodSeconds }
            : {}),
          securityContext: {
            runAsNonRoot: true,
            runAsUser: s.uid,
            runAsGroup: s.uid,
            fsGroup: s.uid,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              ...s.container,
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                capabilities: { drop: ['ALL'] },
              },
            },
          ],
          volumes: s.volumes,
        },
      },
    },
  };
}
