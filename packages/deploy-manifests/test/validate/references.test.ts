import { describe, expect, it } from 'vitest';
import { checkReferences, type KubeObject, stack, validateBundle } from '../../src/index.js';
import type { Loose } from '../helpers/expect-valid.js';

const fresh = () =>
  stack({
    namespace: 'obs',
    otlpEndpoint: 'https://otlp.example.com:4317',
    tools: ['beyla', 'tetragon', 'parca'],
  }).objects;
const get = (objects: KubeObject[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name) as KubeObject & {
    spec: Loose;
    data: Loose;
  };
const fields = (objects: KubeObject[]) => checkReferences(objects).map((p) => p.field);

describe('checkReferences()', () => {
  it('finds nothing wrong in a generated stack', () => {
    expect(checkReferences(fresh())).toEqual([]);
  });

  it('catches a selector that no longer matches its pods', () => {
    const o = fresh();
    get(o, 'DaemonSet', 'beyla').spec.selector.matchLabels['app.kubernetes.io/name'] = 'beyla2';
    expect(fields(o)).toEqual(['DaemonSet/obs-agents/beyla:/spec/selector']);
  });

  it('catches a missing ConfigMap, ServiceAccount and Secret', () => {
    const o = fresh().filter((x) => !(x.kind === 'ConfigMap' && x.metadata.name === 'parca'));
    get(o, 'DaemonSet', 'tetragon').spec.template.spec.serviceAccountName = 'nobody';
    get(o, 'Deployment', 'otel-collector').spec.template.spec.containers[0].env = [
      { name: 'K', valueFrom: { secretKeyRef: { name: 'absent', key: 'k' } } },
    ];
    expect(fields(o).sort()).toEqual(
      [
        'Deployment/obs/otel-collector:/spec/template/spec/containers/0/env/0',
        'Deployment/obs/parca:/spec/template/spec/volumes/0',
        'DaemonSet/obs-agents/tetragon:/spec/template/spec/serviceAccountName',
      ].sort(),
    );
  });

  it('catches a Service port with no container port behind it, and a Service selecting nothing', () => {
    const o = fresh();
    get(o, 'Service', 'parca').spec.ports[0].targetPort = 7071;
    get(o, 'Service', 'otel-collector').spec.selector = { app: 'nothing' };
    expect(fields(o).sort()).toEqual([
      'Service/obs/otel-collector:/spec/selector',
      'Service/obs/parca:/spec/ports/0',
    ]);
  });

  it('catches OTLP endpoints that do not resolve to the collector Service', () => {
    const o = fresh();
    const beyla = get(o, 'ConfigMap', 'beyla');
    beyla.data['beyla-config.yml'] = beyla.data['beyla-config.yml'].replaceAll(':4318', ':4319');
    const fwd = get(o, 'ConfigMap', 'tetragon-otel-forwarder');
    fwd.data['forwarder.yaml'] = fwd.data['forwarder.yaml'].replace(
      'otel-collector.obs',
      'otel-collector.default',
    );
    get(o, 'DaemonSet', 'beyla').spec.template.spec.containers[0].env.push({
      name: 'OTEL_EXPORTER_OTLP_ENDPOINT',
      value: 'http://elsewhere:4317',
    });
    expect(fields(o)).toEqual([
      'ConfigMap/obs-agents/beyla:/data/beyla-config.yml',
      'ConfigMap/obs-agents/beyla:/data/beyla-config.yml',
      'ConfigMap/obs-agents/tetragon-otel-forwarder:/data/forwarder.yaml',
      'DaemonSet/obs-agents/beyla:/spec/template/spec/containers/0/env/1',
    ]);
    const noCollector = fresh().filter((x) => x.metadata.name !== 'otel-collector');
    expect(fields(noCollector)).toContain('ConfigMap/obs-agents/beyla:/data/beyla-config.yml');
  });

  it('catches a collector listening on localhost, a pipeline using an undefined component, and a port mismatch', () => {
    const o = fresh();
    const gw = get(o, 'ConfigMap', 'otel-collector');
    gw.data['collector.yaml'] = gw.data['collector.yaml']
      .replace('0.0.0.0:4317', 'localhost:4317')
      .replace('0.0.0.0:4318', '0.0.0.0:4319');
    const fwd = get(o, 'ConfigMap', 'tetragon-otel-forwarder');
    fwd.data['forwarder.yaml'] = fwd.data['forwarder.yaml'].replace('- otlp/gateway', '- otlp/gateway2');
    const problems = checkReferences(o).map((p) => `${p.field} ${p.message}`);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/otel-collector.*grpc receiver listens on 'localhost:4317'/);
    expect(problems[1]).toMatch(/otel-collector.*http receiver port 4319 is not a port/);
    expect(problems[2]).toMatch(/tetragon-otel-forwarder.*otlp\/gateway2 is not defined in exporters/);
  });

  it('catches a binding to a missing role and a probe on an undeclared port', () => {
    const o = fresh().filter(
      (x) => !(x.kind === 'ClusterRole' && x.metadata.name === 'vigil-parca-agent-obs-agents'),
    );
    get(o, 'Deployment', 'otel-collector').spec.template.spec.containers[0].livenessProbe.httpGet.port =
      'healthz';
    expect(fields(o).sort()).toEqual([
      'ClusterRoleBinding//vigil-parca-agent-obs-agents:/roleRef',
      'Deployment/obs/otel-collector:/spec/template/spec/containers/0/livenessProbe',
    ]);
  });

  it('catches a NetworkPolicy that selects no pod, opens an undeclared port or admits pods that do not exist', () => {
    const o = fresh();
    get(o, 'NetworkPolicy', 'otel-collector').spec.podSelector.matchLabels['app.kubernetes.io/name'] = 'gone';
    const parca = get(o, 'NetworkPolicy', 'parca').spec;
    parca.ingress[0].ports[0].port = 'grpc';
    parca.ingress[0].from[0].namespaceSelector.matchLabels['kubernetes.io/metadata.name'] = 'obs';
    expect(fields(o)).toEqual([
      'NetworkPolicy/obs/otel-collector:/spec/podSelector',
      'NetworkPolicy/obs/parca:/spec/ingress/0/ports/0',
      'NetworkPolicy/obs/parca:/spec/ingress/0/from/0',
    ]);
  });

  it('validateBundle throws one typed error listing every problem', () => {
    const o = fresh();
    get(o, 'Service', 'parca').spec.ports[0].targetPort = 1;
    o.push({ ...get(o, 'ConfigMap', 'beyla') });
    try {
      validateBundle(o);
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ name: 'ManifestError', code: 'BROKEN_REFERENCE' });
      expect((e as Error).message).toContain('2 problem(s)');
      expect((e as Error).message).toContain('is defined twice');
    }
  });
});
