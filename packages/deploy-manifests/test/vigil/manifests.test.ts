import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  type KubeObject,
  stack,
  VIGIL_ADMIN_PORT,
  VIGIL_OTLP_HTTP_PORT,
  VIGIL_STATE_DIR,
  vigil,
  vigilUrl,
} from '../../src/index.js';
import { catchError, expectBundleValid, type Loose } from '../helpers/expect-valid.js';

const find = (objects: KubeObject[], kind: string, name = 'vigil') =>
  objects.find((o) => o.kind === kind && o.metadata.name === name)! as KubeObject & { spec: Loose };

describe('vigil()', () => {
  it('defaults: Deployment, Service 4317/4318/9464, ConfigMap, state claim, probes, restricted security', () => {
    const objects = vigil({ namespace: 'obs' }) as KubeObject[];
    expectBundleValid(objects);
    expect(objects.map((o) => o.kind)).toEqual([
      'ServiceAccount',
      'ConfigMap',
      'PersistentVolumeClaim',
      'Deployment',
      'Service',
      'NetworkPolicy',
    ]);
    expect(find(objects, 'Service').spec.ports.map((p: Loose) => [p.name, p.port])).toEqual([
      ['otlp-grpc', 4317],
      ['otlp-http', 4318],
      ['admin', VIGIL_ADMIN_PORT],
    ]);
    const deployment = find(objects, 'Deployment').spec;
    expect(deployment.replicas).toBe(1);
    expect(deployment.strategy.type).toBe('Recreate');
    const pod = deployment.template.spec;
    const c = pod.containers[0];
    expect(c.args).toEqual(['serve', '--config', '/etc/vigil/vigil.yaml']);
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'admin' });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'admin' });
    // The restricted Pod Security profile.
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(c.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(c.resources.limits.memory).toBe('2Gi');
    expect(pod.volumes[1]).toEqual({ name: 'state', persistentVolumeClaim: { claimName: 'vigil-state' } });
    expect(find(objects, 'PersistentVolumeClaim', 'vigil-state').spec.resources.requests.storage).toBe('1Gi');
    const config = parse((find(objects, 'ConfigMap').data as Record<string, string>)['vigil.yaml']);
    expect(config.receivers.otlpHttp).toEqual({ host: '0.0.0.0', port: VIGIL_OTLP_HTTP_PORT });
    expect(config.state.dir).toBe(VIGIL_STATE_DIR);
  });

  it('non-default: user config kept, emptyDir state, storage class, resources', () => {
    const objects = vigil({
      namespace: 'obs',
      config: {
        receivers: { maxSeries: 500 },
        outputs: { alertmanager: { url: 'http://alertmanager.monitoring:9093' } },
      },
      stateSize: false,
      resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '4Gi' } },
    }) as KubeObject[];
    expectBundleValid(objects);
    expect(objects.some((o) => o.kind === 'PersistentVolumeClaim')).toBe(false);
    const config = parse((find(objects, 'ConfigMap').data as Record<string, string>)['vigil.yaml']);
    expect(config.receivers.maxSeries).toBe(500);
    expect(config.outputs.alertmanager.url).toBe('http://alertmanager.monitoring:9093');
    expect(find(objects, 'Deployment').spec.template.spec.volumes[1]).toEqual({
      name: 'state',
      emptyDir: {},
    });
    const withClass = vigil({ stateSize: '5Gi', storageClassName: 'fast' }) as KubeObject[];
    expectBundleValid(withClass);
    expect(find(withClass, 'PersistentVolumeClaim', 'vigil-state').spec.storageClassName).toBe('fast');
  });

  it('rejects bad options with the field', () => {
    expect(catchError(() => vigil({ stateSize: '1Mi' })).field).toBe('vigil.stateSize');
    expect(catchError(() => vigil({ stateSize: 'lots' })).field).toBe('vigil.stateSize');
    expect(catchError(() => vigil({ config: { state: { dir: '/x' } } })).field).toBe('vigil.config.state');
    expect(catchError(() => vigil({ config: { admin: {} } })).field).toBe('vigil.config.admin');
    expect(catchError(() => vigil({ replicas: 2 } as never)).field).toBe('vigil.replicas');
  });
});

describe('stack({ vigil })', () => {
  it('deploys Vigil and makes the collector export metrics to it as well as to the backend', () => {
    const bundle = stack({
      namespace: 'obs',
      otlpEndpoint: 'https://otlp.example.com:4317',
      tools: ['beyla'],
      vigil: true,
    });
    expectBundleValid(bundle.objects);
    expect(bundle.byTool.vigil.map((o) => o.kind)).toContain('Deployment');
    const cm = bundle.byTool.collector.find((o) => o.kind === 'ConfigMap')!;
    const config = parse((cm.data as Record<string, string>)['collector.yaml']);
    expect(config.exporters['otlphttp/vigil']).toEqual({ endpoint: vigilUrl('obs') });
    expect(config.service.pipelines.metrics.exporters).toEqual(['otlp/upstream', 'otlphttp/vigil']);
    expect(config.service.pipelines.traces.exporters).toEqual(['otlp/upstream']);
    // The URL is the Vigil Service of the bundle, on its OTLP/HTTP port.
    const url = new URL(config.exporters['otlphttp/vigil'].endpoint);
    const svc = bundle.byTool.vigil.find((o) => o.kind === 'Service')! as KubeObject & { spec: Loose };
    expect(url.hostname).toBe(`${svc.metadata.name}.${svc.metadata.namespace}.svc.cluster.local`);
    expect(svc.spec.ports.map((p: Loose) => p.port)).toContain(Number(url.port));
    // Without vigil the collector config is unchanged.
    const plain = stack({
      namespace: 'obs',
      otlpEndpoint: 'https://otlp.example.com:4317',
      tools: ['beyla'],
    });
    expect(plain.byTool.vigil).toEqual([]);
    expect(JSON.stringify(plain.objects)).not.toContain('otlphttp/vigil');
  });
});
