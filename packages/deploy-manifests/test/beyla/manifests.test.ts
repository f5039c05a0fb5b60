import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BEYLA_CAPABILITIES, beyla, type KubeObject } from '../../src/index.js';
import type { Loose } from '../helpers/expect-valid.js';
import { catchError, expectObjectsValid } from '../helpers/expect-valid.js';

type Ds = { spec: { template: { metadata: Loose; spec: Record<string, Loose> } } };

describe('beyla()', () => {
  it('defaults: DaemonSet with hostPID and the documented capabilities, config valid against the OBI schema', () => {
    const objects = beyla({ namespace: 'obs' }) as KubeObject[];
    expect(objects.map((o) => o.kind)).toEqual([
      'ServiceAccount',
      'ClusterRole',
      'ClusterRoleBinding',
      'ConfigMap',
      'DaemonSet',
    ]);
    expectObjectsValid(objects);
    const ds = objects[4] as unknown as Ds;
    const pod = ds.spec.template.spec;
    expect(pod.hostPID).toBe(true);
    expect(pod.containers[0].securityContext.capabilities).toEqual({
      add: [...BEYLA_CAPABILITIES],
      drop: ['ALL'],
    });
    expect(pod.containers[0].securityContext.privileged).toBeUndefined();
    expect(pod.containers[0].securityContext.appArmorProfile).toEqual({ type: 'Unconfined' });
    expect(ds.spec.template.metadata.annotations).toEqual({
      'container.apparmor.security.beta.kubernetes.io/beyla': 'unconfined',
    });
    expect(pod.volumes.map((v: Loose) => v.hostPath?.path).filter(Boolean)).toEqual([
      '/sys/fs/cgroup',
      '/sys/fs/bpf',
    ]);
    expect(pod.containers[0].env[0]).toEqual({
      name: 'BEYLA_CONFIG_PATH',
      value: '/config/beyla-config.yml',
    });
    const config = parse((objects[3].data as Record<string, string>)['beyla-config.yml']);
    expect(config.otel_traces_export).toEqual({
      endpoint: 'http://otel-collector.obs.svc.cluster.local:4318',
      protocol: 'http/protobuf',
      instrumentations: ['*'],
    });
    expect(config.discovery.exclude_instrument).toEqual([
      { k8s_namespace: 'kube-system' },
      { k8s_namespace: 'obs' },
    ]);
    expect(config.attributes.kubernetes.enable).toBe('true');
    const rules = (objects[1] as unknown as { rules: { resources: string[]; verbs: string[] }[] }).rules;
    expect(rules.flatMap((r) => r.resources).sort()).toEqual(['nodes', 'pods', 'replicasets', 'services']);
    expect(rules.every((r) => r.verbs.join() === 'get,list,watch')).toBe(true);
  });

  it('non-default: OBI over gRPC with context propagation and chosen instrumentations', () => {
    const objects = beyla({
      namespace: 'telemetry',
      distribution: 'obi',
      protocol: 'grpc',
      contextPropagation: true,
      instrumentations: ['http', 'grpc', 'sql'],
      metricFeatures: ['application', 'network'],
      namespaces: ['shop-*', 'payments'],
      clusterName: 'prod-eu',
      kubernetesMetadata: false,
      priorityClassName: 'system-node-critical',
      tolerations: [{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }],
      resources: { requests: { cpu: '200m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } },
    }) as KubeObject[];
    expectObjectsValid(objects);
    const ds = objects[4] as unknown as Ds;
    const pod = ds.spec.template.spec;
    expect(objects[4].metadata.name).toBe('obi');
    expect(pod.containers[0].image).toMatch(/^docker\.io\/otel\/ebpf-instrument:v/);
    expect(pod.containers[0].env[0].name).toBe('OTEL_EBPF_CONFIG_PATH');
    expect(pod.containers[0].securityContext.capabilities.add).toContain('NET_ADMIN');
    const privileged = beyla({ privileged: true })[4] as unknown as Ds;
    expect(privileged.spec.template.spec.containers[0].securityContext).toEqual({
      privileged: true,
      runAsUser: 0,
      readOnlyRootFilesystem: true,
    });
    expect(privileged.spec.template.metadata.annotations).toBeUndefined();
    expectObjectsValid([privileged as unknown as KubeObject]);
    expect(pod.priorityClassName).toBe('system-node-critical');
    expect(pod.tolerations).toEqual([{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    const config = parse((objects[3].data as Record<string, string>)['beyla-config.yml']);
    expect(config.otel_metrics_export.endpoint).toBe(
      'http://otel-collector.telemetry.svc.cluster.local:4317',
    );
    expect(config.otel_metrics_export.protocol).toBe('grpc');
    expect(config.discovery.instrument).toEqual([{ k8s_namespace: 'shop-*' }, { k8s_namespace: 'payments' }]);
    expect(config.attributes.kubernetes).toEqual({ enable: 'false', cluster_name: 'prod-eu' });
  });

  it('rejects bad options with the field and the allowed values', () => {
    const e1 = catchError(() => beyla({ distribution: 'pyroscope' as never }));
    expect([e1.code, e1.field]).toEqual(['INVALID_OPTION', 'beyla.distribution']);
    expect(e1.allowed).toEqual(['beyla', 'obi']);
    expect(catchError(() => beyla({ protocol: 'thrift' as never })).field).toBe('beyla.protocol');
    expect(catchError(() => beyla({ instrumentations: ['http', 'smtp' as never] })).field).toBe(
      'beyla.instrumentations[1]',
    );
    expect(catchError(() => beyla({ namespace: 'Obs' })).field).toBe('beyla.namespace');
    expect(catchError(() => beyla({ namespaces: [] })).field).toBe('beyla.namespaces');
    expect(
      catchError(() => beyla({ resources: { requests: { memory: '2Gi' }, limits: { memory: '1Gi' } } }))
        .field,
    ).toBe('beyla.resources.requests.memory');
    expect(catchError(() => beyla({ resources: { limits: { cpu: 'lots' } } })).field).toBe(
      'beyla.resources.limits.cpu',
    );
    expect(catchError(() => beyla({ endpont: 'x' } as never)).field).toBe('beyla.endpont');
  });
});
