import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  collector,
  type KubeObject,
  TETRAGON_METRICS_PORT,
  TracingPolicyBuilder,
  tetragon,
} from '../../src/index.js';
import type { Loose } from '../helpers/expect-valid.js';
import { catchError, expectBundleValid, expectObjectsValid } from '../helpers/expect-valid.js';

const find = (objects: KubeObject[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name)!;

describe('tetragon()', () => {
  it('defaults: privileged host-network agent, config dir, operator, three observing policies, OTel sidecar', () => {
    const objects = tetragon({ namespace: 'obs' }) as KubeObject[];
    expectObjectsValid(objects);
    // The sidecar's OTLP target must be the collector, so check the agent in a bundle with one.
    expectBundleValid([
      ...(collector({ namespace: 'obs', otlpEndpoint: 'https://o.example.com' }) as KubeObject[]),
      ...objects,
    ]);
    const ds = find(objects, 'DaemonSet', 'tetragon') as unknown as {
      spec: { template: { spec: Record<string, Loose> } };
    };
    const pod = ds.spec.template.spec;
    expect(pod.hostNetwork).toBe(true);
    expect(pod.containers.map((c: { name: string }) => c.name)).toEqual(['tetragon', 'otel-forwarder']);
    expect(pod.containers[0].securityContext).toEqual({ privileged: true });
    expect(pod.containers[0].args).toEqual(['--config-dir=/etc/tetragon/tetragon.conf.d/']);
    const config = find(objects, 'ConfigMap', 'tetragon-config').data as Record<string, string>;
    expect(config['export-filename']).toBe('/var/run/cilium/tetragon/tetragon.log');
    expect(config['metrics-server']).toBe(`:${TETRAGON_METRICS_PORT}`);
    const fwd = parse(
      (find(objects, 'ConfigMap', 'tetragon-otel-forwarder').data as Record<string, string>)[
        'forwarder.yaml'
      ],
    );
    expect(fwd.receivers.filelog.include).toEqual(['/var/run/cilium/tetragon/tetragon.log']);
    expect(fwd.receivers.prometheus.config.scrape_configs[0].static_configs[0].targets).toEqual([
      `localhost:${TETRAGON_METRICS_PORT}`,
    ]);
    expect(fwd.exporters['otlp/gateway'].endpoint).toBe('otel-collector.obs.svc.cluster.local:4317');
    expect(pod.containers[1].image).toContain('opentelemetry-collector-k8s');
    expect(objects.filter((o) => o.kind === 'TracingPolicy').map((o) => o.metadata.name)).toEqual([
      'vigil-sensitive-files',
      'vigil-outbound-connections',
      'vigil-privilege-escalation',
    ]);
    expect(find(objects, 'Deployment', 'tetragon-operator')).toBeDefined();
  });

  it('non-default: enforcing subset, extra namespaced policy, no forwarder', () => {
    const extra = new TracingPolicyBuilder('block-ptrace')
      .kprobe({ call: 'sys_ptrace', syscall: true, selectors: [{ matchActions: [{ action: 'Sigkill' }] }] })
      .build('shop');
    const objects = tetragon({
      namespace: 'sec',
      policies: ['privilege-escalation'],
      enforce: true,
      extraPolicies: [extra],
      forwardToCollector: false,
      labels: { team: 'platform' },
    }) as KubeObject[];
    expectBundleValid(objects);
    expect(objects.filter((o) => o.kind.startsWith('TracingPolicy')).map((o) => o.metadata.name)).toEqual([
      'vigil-privilege-escalation-enforce',
      'block-ptrace',
    ]);
    expect(objects.some((o) => o.metadata.name === 'tetragon-otel-forwarder')).toBe(false);
    expect(find(objects, 'DaemonSet', 'tetragon').metadata.labels?.team).toBe('platform');
    expect(find(objects, 'TracingPolicyNamespaced', 'block-ptrace').metadata.labels).toEqual({
      team: 'platform',
      'app.kubernetes.io/part-of': 'vigil',
    });
  });

  it('rejects unknown policies and duplicates', () => {
    const e = catchError(() => tetragon({ policies: ['sensitive-files', 'rootkits' as never] }));
    expect([e.field, e.allowed?.length]).toEqual(['tetragon.policies[1]', 3]);
    expect(catchError(() => tetragon({ policies: ['sensitive-files', 'sensitive-files'] })).field).toBe(
      'tetragon.policies',
    );
    const dup = new TracingPolicyBuilder('vigil-sensitive-files').kprobe({ call: 'x' }).build();
    expect(catchError(() => tetragon({ extraPolicies: [dup] })).field).toBe('tetragon.extraPolicies');
  });
});
