import { describe, expect, it } from 'vitest';
import { type KubeObject, pixie, pxlScripts } from '../../src/index.js';
import { catchError, expectObjectsValid } from '../helpers/expect-valid.js';
import { schemaErrors } from '../helpers/schemas.js';

describe('pixie()', () => {
  it('defaults: deploy-key Secret, Vizier valid against the upstream CRD, PxL scripts exporting to the collector', () => {
    const objects = pixie({ namespace: 'obs', deployKey: 'px-dep-123', clusterName: 'prod' }) as KubeObject[];
    expect(objects.map((o) => o.kind)).toEqual(['Secret', 'Vizier', 'ConfigMap']);
    expectObjectsValid(objects);
    const vizier = objects[1] as unknown as {
      metadata: { namespace: string };
      spec: Record<string, unknown>;
    };
    expect(vizier.metadata.namespace).toBe('pl');
    expect(vizier.spec).toMatchObject({
      cloudAddr: 'withpixie.ai:443',
      clusterName: 'prod',
      customDeployKeySecret: 'pl-deploy-secrets',
      pemMemoryLimit: '2Gi',
      dataAccess: 'Full',
      disableAutoUpdate: true,
    });
    expect(objects[0].metadata.name).toBe('pl-deploy-secrets');
    expect((objects[0] as unknown as { stringData: Record<string, string> }).stringData).toEqual({
      'deploy-key': 'px-dep-123',
    });
    const scripts = objects[2].data as Record<string, string>;
    expect(Object.keys(scripts)).toEqual(['http-metrics.pxl', 'network-metrics.pxl']);
    for (const s of Object.values(scripts)) {
      expect(s).toContain("px.otel.Endpoint(url='otel-collector.obs.svc.cluster.local:4317', insecure=True)");
      expect(s).toContain('px.export(df, px.otel.Data(');
    }
  });

  it('non-default: self-hosted cloud, restricted access, own namespace and resources', () => {
    const objects = pixie({
      deployKey: 'k',
      clusterName: 'edge-1',
      cloudAddr: 'pixie.internal.example:443',
      pixieNamespace: 'pixie',
      dataAccess: 'Restricted',
      pemMemoryLimit: '4Gi',
      resources: { requests: { cpu: '100m' } },
    }) as KubeObject[];
    expectObjectsValid(objects);
    expect(schemaErrors('Vizier', objects[1])).toEqual([]);
    expect(objects.every((o) => o.metadata.namespace === 'pixie')).toBe(true);
    expect((objects[1] as unknown as { spec: { pod: { resources: unknown } } }).spec.pod.resources).toEqual({
      requests: { cpu: '100m' },
    });
  });

  it('says plainly that Pixie needs a Pixie Cloud deploy key', () => {
    const e = catchError(() => pixie({ deployKey: '', clusterName: 'c' }));
    expect([e.code, e.field]).toEqual(['INVALID_OPTION', 'pixie.deployKey']);
    expect(e.message).toMatch(/Pixie Cloud/);
    expect(catchError(() => pixie({ deployKey: 'k', clusterName: 'c', pemMemoryLimit: '512Mi' })).field).toBe(
      'pixie.pemMemoryLimit',
    );
    expect(
      catchError(() => pixie({ deployKey: 'k', clusterName: 'c', dataAccess: 'All' as never })).allowed,
    ).toEqual(['Full', 'Restricted']);
    expect(catchError(() => pixie({ deployKey: 'k', clusterName: 'c', cloudAddr: 'https://x' })).field).toBe(
      'pixie.cloudAddr',
    );
    expect(catchError(() => pxlScripts("x'); import os #:1")).field).toBe('pixie.endpoint');
  });
});
