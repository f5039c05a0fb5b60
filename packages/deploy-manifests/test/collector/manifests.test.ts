import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { collector, collectorUrl, type KubeObject } from '../../src/index.js';
import { catchError, expectBundleValid } from '../helpers/expect-valid.js';

const config = (objects: KubeObject[]) =>
  parse((objects.find((o) => o.kind === 'ConfigMap')!.data as Record<string, string>)['collector.yaml']);

describe('collector()', () => {
  it('defaults: OTLP receivers on 0.0.0.0 (not the localhost default since v0.110), gRPC export to the user', () => {
    const objects = collector({
      namespace: 'obs',
      otlpEndpoint: 'https://otlp.example.com:4317',
    }) as KubeObject[];
    expect(objects.map((o) => o.kind)).toEqual([
      'ServiceAccount',
      'ConfigMap',
      'Deployment',
      'Service',
      'NetworkPolicy',
    ]);
    expectBundleValid(objects);
    const c = config(objects);
    expect(c.receivers.otlp.protocols).toEqual({
      grpc: { endpoint: '0.0.0.0:4317' },
      http: { endpoint: '0.0.0.0:4318' },
    });
    expect(c.exporters).toEqual({
      'otlp/upstream': { endpoint: 'otlp.example.com:4317', tls: { insecure: false } },
    });
    for (const signal of ['traces', 'metrics', 'logs']) {
      expect(c.service.pipelines[signal]).toEqual({
        receivers: ['otlp'],
        processors: ['memory_limiter', 'batch'],
        exporters: ['otlp/upstream'],
      });
    }
    const dep = objects[2] as unknown as {
      spec: { template: { spec: { containers: { image: string }[] } } };
    };
    expect(dep.spec.template.spec.containers[0].image).toMatch(/opentelemetry-collector-k8s:0\.1\d\d\./);
    expect(collectorUrl('obs', 'grpc')).toBe('http://otel-collector.obs.svc.cluster.local:4317');
  });

  it('non-default: OTLP/HTTP upstream with headers kept in a Secret, 3 replicas', () => {
    const objects = collector({
      namespace: 'obs',
      otlpEndpoint: 'http://tempo.example:4318/otlp',
      protocol: 'http',
      headers: { Authorization: 'Bearer s3cret', 'X-Scope-OrgID': 'team-a' },
      replicas: 3,
    }) as KubeObject[];
    expect(objects.map((o) => o.kind)).toEqual([
      'ServiceAccount',
      'ConfigMap',
      'Secret',
      'Deployment',
      'Service',
      'NetworkPolicy',
    ]);
    expectBundleValid(objects);
    const c = config(objects);
    expect(c.exporters['otlphttp/upstream']).toEqual({
      endpoint: 'http://tempo.example:4318/otlp',
      // The collector expands ${env:NAME} at start-up; the literal placeholder is what must be in the config.
      // biome-ignore lint/suspicious/noTemplateCurlyInString: collector env placeholder, not a JS template.
      headers: { Authorization: '${env:OTLP_HEADER_0}', 'X-Scope-OrgID': '${env:OTLP_HEADER_1}' },
    });
    expect(JSON.stringify(objects[1])).not.toContain('s3cret');
    expect((objects[2] as unknown as { stringData: Record<string, string> }).stringData.OTLP_HEADER_0).toBe(
      'Bearer s3cret',
    );
  });

  it('rejects a bad endpoint, protocol, replica count or header', () => {
    expect(catchError(() => collector({ otlpEndpoint: 'otlp.example.com:4317' })).field).toBe(
      'collector.otlpEndpoint',
    );
    expect(catchError(() => collector({ otlpEndpoint: 'ftp://x' })).allowed).toEqual(['http', 'https']);
    expect(catchError(() => collector({ otlpEndpoint: 'http://x', protocol: 'udp' as never })).field).toBe(
      'collector.protocol',
    );
    expect(catchError(() => collector({ otlpEndpoint: 'http://x', replicas: 0 })).field).toBe(
      'collector.replicas',
    );
    expect(catchError(() => collector({ otlpEndpoint: 'http://x', replicas: 1.5 })).field).toBe(
      'collector.replicas',
    );
    expect(
      catchError(() => collector({ otlpEndpoint: 'http://x', headers: { 'bad header': 'v' } })).field,
    ).toBe('collector.headers.bad header');
  });
});
