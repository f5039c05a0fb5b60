import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import { selectorLabels } from './common.js';

/** Name of the policy {@link denyIngress} puts in each namespace of the stack. */
export const DENY_INGRESS_POLICY = 'vigil-default-deny-ingress';

/**
 * A NetworkPolicy that isolates every pod of `namespace` for ingress: only what another policy allows gets in
 * (traffic from the pod's own node, such as kubelet probes, always does).
 *
 * @example
 * denyIngress('obs', {}).spec // { podSelector: {}, policyTypes: ['Ingress'] }
 */
export function denyIngress(namespace: string, labels: Record<string, string>): INetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: DENY_INGRESS_POLICY, namespace, labels },
    spec: { podSelector: {}, policyTypes: ['Ingress'] },
  };
}

/** One ingress rule of {@link allowIngress}: these TCP ports (numbers or container port names), from these peers. */
export interface IngressRule {
  ports: (number | string)[];
  /** Who may connect; omitted, any source (for senders on the host network, whose address is a node's). */
  from?: INetworkPolicyPeer[];
}

/**
 * A NetworkPolicy that lets into the pods of component `name` (selected by its selector labels) only the listed
 * ports from the listed peers.
 *
 * @example
 * allowIngress('vigil', 'obs', {}, [{ ports: ['otlp-grpc'], from: [podsOf('otel-collector')] }])
 */
export function allowIngress(
  name: string,
  namespace: string,
  labels: Record<string, string>,
  rules: IngressRule[],
): INetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace, labels },
    spec: {
      podSelector: { matchLabels: selectorLabels(name) },
      policyTypes: ['Ingress'],
      ingress: rules.map((r) => ({
        ports: r.ports.map((port) => ({ port, protocol: 'TCP' })),
        ...(r.from ? { from: r.from } : {}),
      })),
    },
  };
}

/**
 * The peer "pods of component `name`", in `namespace` when given (by its `kubernetes.io/metadata.name` label,
 * which the API server sets on every namespace), else in the policy's own namespace.
 */
export function podsOf(name: string, namespace?: string): INetworkPolicyPeer {
  return {
    podSelector: { matchLabels: selectorLabels(name) },
    ...(namespace
      ? { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } }
      : {}),
  };
}
