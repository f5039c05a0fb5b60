import type { IClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import type { IClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import type { IPolicyRule } from 'kubernetes-models/rbac.authorization.k8s.io/v1/PolicyRule';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';

/**
 * A ServiceAccount and the ClusterRole + ClusterRoleBinding that grant it `rules`. Cluster-scoped names carry the
 * namespace (`vigil-<name>-<namespace>`) so two stacks in different namespaces never share or overwrite a role.
 */
export function serviceAccountWithClusterRole(
  name: string,
  namespace: string,
  labels: Record<string, string>,
  rules: IPolicyRule[],
): [IServiceAccount, IClusterRole, IClusterRoleBinding] {
  const clusterName = `vigil-${name}-${namespace}`;
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace, labels } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: clusterName, labels },
      rules,
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: clusterName, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterName },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
    },
  ];
}
