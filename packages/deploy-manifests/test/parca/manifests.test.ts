import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type KubeObject, PARCA_PORT, parca } from '../../src/index.js';
import type { Loose } from '../helpers/expect-valid.js';
import { catchError, expectBundleValid } from '../helpers/expect-valid.js';

const find = (objects: KubeObject[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name)! as KubeObject & { spec: Loose };

describe('parca()', () => {
  it('defaults: server Deployment + Service + config, agent DaemonSet pointed at the Service', () => {
    const objects = parca({ namespace: 'prof' }) as KubeObject[];
    expectBundleValid(objects);
    const svc = find(objects, 'Service', 'parca');
    expect(svc.spec.ports).toEqual([
      { name: 'http', port: PARCA_PORT, targetPort: 'http', protocol: 'TCP', appProtocol: 'grpc' },
    ]);
    const server = find(objects, 'Deployment', 'parca').spec.template.spec.containers[0];
    expect(server.args).toContain(`--storage-active-memory=${512 * 2 ** 20}`);
    expect(server.args).toContain('--config-path=/etc/parca/parca.yaml');
    const config = parse((find(objects, 'ConfigMap', 'parca').data as Record<string, string>)['parca.yaml']);
    expect(config.object_storage.bucket.type).toBe('FILESYSTEM');
    const agent = find(objects, 'DaemonSet', 'parca-agent').spec.template.spec;
    expect(agent.hostPID).toBe(true);
    expect(agent.containers[0].args).toContain(
      `--remote-store-address=parca.prof.svc.cluster.local:${PARCA_PORT}`,
    );
    expect(agent.containers[0].args).toContain('--remote-store-insecure');
  });

  it('non-default: more memory, debug logging, custom tolerations', () => {
    const objects = parca({
      namespace: 'prof',
      storageActiveMemory: '2Gi',
      serverResources: { requests: { memory: '1Gi' }, limits: { memory: '4Gi' } },
      logLevel: 'debug',
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'obs', effect: 'NoExecute' }],
    }) as KubeObject[];
    expectBundleValid(objects);
    const server = find(objects, 'Deployment', 'parca').spec.template.spec;
    expect(server.containers[0].args).toContain(`--storage-active-memory=${2 * 2 ** 30}`);
    expect(server.containers[0].args).toContain('--log-level=debug');
    expect(server.tolerations[0].value).toBe('obs');
  });

  it('rejects storage that does not fit under the limit, and bad values', () => {
    const e = catchError(() => parca({ storageActiveMemory: '2Gi' }));
    expect([e.code, e.field]).toEqual(['INVALID_OPTION', 'parca.storageActiveMemory']);
    expect(e.message).toContain('1Gi');
    expect(catchError(() => parca({ storageActiveMemory: '10Mi' })).field).toBe('parca.storageActiveMemory');
    expect(catchError(() => parca({ storageActiveMemory: 'big' })).field).toBe('parca.storageActiveMemory');
    expect(catchError(() => parca({ logLevel: 'trace' as never })).allowed).toEqual([
      'error',
      'warn',
      'info',
      'debug',
    ]);
    expect(catchError(() => parca({ tolerations: [{ operator: 'Exists', value: 'x' }] })).field).toBe(
      'parca.tolerations[0].value',
    );
  });
});
