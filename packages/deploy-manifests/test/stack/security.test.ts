import { describe, expect, it } from 'vitest';
import {
  bundleProblems,
  checkPodSecurity,
  type KubeObject,
  POD_SECURITY_ENFORCE,
  podSecurityViolations,
  stack,
  TOOLS,
} from '../../src/index.js';
import type { Loose } from '../helpers/expect-valid.js';

const all = () =>
  stack({
    namespace: 'obs',
    otlpEndpoint: 'https://otlp.example.com:4317',
    tools: [...TOOLS],
    pixie: { deployKey: 'px-dep-1', clusterName: 'ci' },
    vigil: true,
  });
const find = (objects: KubeObject[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name) as KubeObject & { spec: Loose };
const pod = (o: KubeObject) => (o.spec as Loose).template.spec;

describe('stack() security', () => {
  it('puts the collector and servers in a restricted namespace and only the eBPF agents in a privileged one', () => {
    const bundle = all();
    // Kubernetes schemas, cross-references and Pod Security (the CRD schemas of ../shared are not needed here).
    expect(bundleProblems(bundle.objects)).toEqual([]);
    const levels = Object.fromEntries(
      bundle.objects
        .filter((o) => o.kind === 'Namespace')
        .map((o) => [o.metadata.name, o.metadata.labels?.[POD_SECURITY_ENFORCE]]),
    );
    expect(levels).toEqual({ obs: 'restricted', 'obs-agents': 'privileged', pl: 'privileged' });
    const placed = Object.fromEntries(
      bundle.objects
        .filter((o) => o.kind === 'Deployment' || o.kind === 'DaemonSet')
        .map((o) => [o.metadata.name, o.metadata.namespace]),
    );
    expect(placed).toEqual({
      'otel-collector': 'obs',
      vigil: 'obs',
      parca: 'obs',
      beyla: 'obs-agents',
      tetragon: 'obs-agents',
      'tetragon-operator': 'obs-agents',
      'parca-agent': 'obs-agents',
    });
    // Every pod of the restricted namespace passes the restricted profile (checked by bundleProblems too).
    for (const name of ['otel-collector', 'vigil', 'parca'])
      expect(podSecurityViolations(pod(find(bundle.objects, 'Deployment', name)), 'restricted')).toEqual([]);
  });

  it('would catch an agent placed in the restricted namespace', () => {
    const objects = all().objects.map((o) =>
      o.kind === 'DaemonSet' && o.metadata.name === 'parca-agent'
        ? { ...o, metadata: { ...o.metadata, namespace: 'obs' } }
        : o,
    );
    const rules = checkPodSecurity(objects).map((p) => p.field.replace('DaemonSet/obs/parca-agent:', ''));
    expect(rules).toEqual(
      expect.arrayContaining([
        '/spec/template/spec/hostPID',
        '/spec/template/spec/volumes/1',
        '/spec/template/spec/containers/0/securityContext/privileged',
        '/spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation',
        '/spec/template/spec/containers/0/securityContext/runAsNonRoot',
      ]),
    );
    expect(checkPodSecurity(objects).every((p) => p.code === 'POD_SECURITY')).toBe(true);
  });

  it('mounts a service-account token only in pods that call the Kubernetes API', () => {
    const objects = all().objects;
    const mounted = Object.fromEntries(
      objects
        .filter((o) => o.kind === 'Deployment' || o.kind === 'DaemonSet')
        .map((o) => {
          const sa = find(objects, 'ServiceAccount', pod(o).serviceAccountName);
          const off =
            pod(o).automountServiceAccountToken === false || sa.automountServiceAccountToken === false;
          return [o.metadata.name, !off];
        }),
    );
    // The agents read pods and nodes (ClusterRoles in the bundle); the collector and servers never do.
    expect(mounted).toEqual({
      'otel-collector': false,
      vigil: false,
      parca: false,
      beyla: true,
      tetragon: true,
      'tetragon-operator': true,
      'parca-agent': true,
    });
    for (const name of ['beyla', 'tetragon', 'parca-agent'])
      expect(
        objects.some((o) => o.kind === 'ClusterRoleBinding' && (o.subjects as Loose)[0].name === name),
      ).toBe(true);
  });

  it('isolates both namespaces for ingress and lets each server see only its clients', () => {
    const objects = all().objects;
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
    expect(policies.map((p) => `${p.metadata.namespace}/${p.metadata.name}`).sort()).toEqual([
      'obs-agents/vigil-default-deny-ingress',
      'obs/otel-collector',
      'obs/parca',
      'obs/vigil',
      'obs/vigil-default-deny-ingress',
    ]);
    const deny = find(objects, 'NetworkPolicy', 'vigil-default-deny-ingress').spec;
    expect(deny).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
    // The collector: the OTLP ports from anywhere (Tetragon sends from the host network), nothing else.
    expect(find(objects, 'NetworkPolicy', 'otel-collector').spec.ingress).toEqual([
      {
        ports: [
          { port: 'otlp-grpc', protocol: 'TCP' },
          { port: 'otlp-http', protocol: 'TCP' },
        ],
      },
    ]);
    // Vigil: OTLP from the collector only, the admin port for scrapers.
    const vigil = find(objects, 'NetworkPolicy', 'vigil').spec.ingress;
    expect(vigil[0].from).toEqual([
      {
        podSelector: { matchLabels: expect.objectContaining({ 'app.kubernetes.io/name': 'otel-collector' }) },
      },
    ]);
    expect(vigil[1]).toEqual({ ports: [{ port: 'admin', protocol: 'TCP' }] });
    // The Parca server: its port from the parca-agent pods of the agents' namespace only.
    expect(find(objects, 'NetworkPolicy', 'parca').spec.ingress).toEqual([
      {
        ports: [{ port: 'http', protocol: 'TCP' }],
        from: [
          {
            podSelector: {
              matchLabels: expect.objectContaining({ 'app.kubernetes.io/name': 'parca-agent' }),
            },
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'obs-agents' } },
          },
        ],
      },
    ]);
  });

  it('takes the agents namespace as an option and keeps it apart from the restricted one', () => {
    const bundle = stack({ namespace: 'obs', agentNamespace: 'ebpf', otlpEndpoint: 'https://o.example.com' });
    expect(bundle.agentNamespace).toBe('ebpf');
    expect(bundleProblems(bundle.objects)).toEqual([]);
    const same = () =>
      stack({ namespace: 'obs', agentNamespace: 'obs', otlpEndpoint: 'https://o.example.com' });
    expect(same).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', field: 'agentNamespace' }));
    const pixieInObs = () =>
      stack({
        namespace: 'obs',
        otlpEndpoint: 'https://o.example.com',
        tools: ['pixie'],
        pixie: { deployKey: 'k', clusterName: 'c', pixieNamespace: 'obs' },
      });
    expect(pixieInObs).toThrow(expect.objectContaining({ field: 'pixie.pixieNamespace' }));
  });
});
