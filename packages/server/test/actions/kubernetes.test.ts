import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { type Incident, ResponseEngine, type ResponsePolicy } from '@vigil/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  kubernetesRestartExecutor,
  kubernetesScaleExecutor,
  RESTARTED_AT_ANNOTATION,
} from '../../src/actions/kubernetes.js';

interface Recorded {
  method: string;
  path: string;
  contentType: string | undefined;
  authorization: string | undefined;
  body: unknown;
}

/**
 * A stand-in API server that speaks the apps/v1 REST paths the executors use: the `scale` subresource of
 * Deployments and StatefulSets (GET, and PATCH with a merge patch) and PATCH of the workload itself (a strategic
 * merge patch), answering with the objects Kubernetes returns and 404/415 Status objects where it would.
 */
class FakeApiServer {
  readonly requests: Recorded[] = [];
  readonly replicas = new Map<string, number>([
    ['deployments/shop/checkout', 3],
    ['statefulsets/data/db', 9],
  ]);
  readonly annotations = new Map<string, Record<string, string>>();
  #server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.#server = createServer((req, res) => {
      void this.#handle(req).then(([status, body]) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((r) => this.#server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.#server!.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((r) => this.#server!.close(() => r()));
  }

  async #handle(req: IncomingMessage): Promise<[number, unknown]> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString();
    const path = (req.url ?? '').split('?')[0];
    this.requests.push({
      method: req.method ?? '',
      path,
      contentType: req.headers['content-type'],
      authorization: req.headers.authorization,
      body: text ? JSON.parse(text) : undefined,
    });
    const m = path.match(
      /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/(deployments|statefulsets)\/([^/]+)(\/scale)?$/,
    );
    if (!m) return [404, status(404, 'NotFound', `the server could not find the requested resource`)];
    const [, namespace, resource, name, scale] = m;
    const key = `${resource}/${namespace}/${name}`;
    if (!this.replicas.has(key))
      return [404, status(404, 'NotFound', `${resource}.apps "${name}" not found`)];
    const kind = resource === 'deployments' ? 'Deployment' : 'StatefulSet';
    if (req.method === 'PATCH') {
      const type = req.headers['content-type'] ?? '';
      if (
        scale &&
        type !== 'application/merge-patch+json' &&
        type !== 'application/strategic-merge-patch+json'
      ) {
        return [415, status(415, 'UnsupportedMediaType', `the body of the request was in an unknown format`)];
      }
      if (!scale && type !== 'application/strategic-merge-patch+json') {
        return [415, status(415, 'UnsupportedMediaType', `expected a strategic merge patch, got ${type}`)];
      }
      const patch = JSON.parse(text);
      if (scale) this.replicas.set(key, patch.spec.replicas);
      else {
        const a = patch.spec?.template?.metadata?.annotations ?? {};
        this.annotations.set(key, { ...this.annotations.get(key), ...a });
      }
    } else if (req.method !== 'GET') {
      return [405, status(405, 'MethodNotAllowed', `${req.method} is not supported`)];
    }
    const replicas = this.replicas.get(key)!;
    if (scale) {
      return [
        200,
        {
          kind: 'Scale',
          apiVersion: 'autoscaling/v1',
          metadata: { name, namespace, uid: `uid-${name}`, resourceVersion: '42' },
          spec: { replicas },
          status: { replicas, selector: `app=${name}` },
        },
      ];
    }
    return [
      200,
      {
        kind,
        apiVersion: 'apps/v1',
        metadata: { name, namespace },
        spec: {
          replicas,
          selector: { matchLabels: { app: name } },
          template: {
            metadata: { labels: { app: name }, annotations: this.annotations.get(key) ?? {} },
            spec: { containers: [{ name, image: `${name}:1` }] },
          },
        },
      },
    ];
  }
}

function status(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

const api = new FakeApiServer();
let kubeConfig: KubeConfig;

beforeAll(async () => {
  await api.start();
  kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'test', server: api.url, skipTLSVerify: true }],
    users: [{ name: 'vigil', token: 'secret-token' }],
    contexts: [{ name: 'test', cluster: 'test', user: 'vigil' }],
    currentContext: 'test',
  });
});
afterAll(() => api.close());

const scale = (
  over: Partial<{ kind: 'Deployment' | 'StatefulSet'; namespace: string; name: string }> = {},
) => ({
  type: 'scale' as const,
  target: { kind: 'Deployment' as const, namespace: 'shop', name: 'checkout', ...over },
  min: 2,
  max: 5,
});
const decision = {} as never;

describe('Kubernetes executors against the apps/v1 REST API', () => {
  it('scale: reads the scale subresource and merge-patches spec.replicas within [min, max]', async () => {
    api.requests.length = 0;
    const ex = kubernetesScaleExecutor({ kubeConfig });
    expect(await ex.plan!(scale(), decision)).toBe(
      'would scale Deployment shop/checkout from 3 to 4 replicas',
    );
    expect(api.replicas.get('deployments/shop/checkout')).toBe(3);
    expect(await ex.execute(scale(), decision)).toBe('scaled Deployment shop/checkout from 3 to 4 replicas');
    expect(await ex.execute(scale(), decision)).toBe('scaled Deployment shop/checkout from 4 to 5 replicas');
    // At the bound: read, and no write.
    expect(await ex.execute(scale(), decision)).toBe(
      'Deployment shop/checkout stays at 5 replicas: at its bound',
    );
    expect(api.replicas.get('deployments/shop/checkout')).toBe(5);
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /apis/apps/v1/namespaces/shop/deployments/checkout/scale',
      'GET /apis/apps/v1/namespaces/shop/deployments/checkout/scale',
      'PATCH /apis/apps/v1/namespaces/shop/deployments/checkout/scale',
      'GET /apis/apps/v1/namespaces/shop/deployments/checkout/scale',
      'PATCH /apis/apps/v1/namespaces/shop/deployments/checkout/scale',
      'GET /apis/apps/v1/namespaces/shop/deployments/checkout/scale',
    ]);
    const patch = api.requests[2];
    expect(patch.contentType).toBe('application/merge-patch+json');
    expect(patch.body).toEqual({ spec: { replicas: 4 } });
    expect(patch.authorization).toBe('Bearer secret-token');
  });

  it('scale: a StatefulSet above its max is brought down to it; scale-in respects min', async () => {
    api.requests.length = 0;
    const ex = kubernetesScaleExecutor({ kubeConfig });
    const db = { ...scale({ kind: 'StatefulSet', namespace: 'data', name: 'db' }), max: 6, step: -1 };
    expect(await ex.execute(db, decision)).toBe('scaled StatefulSet data/db from 9 to 6 replicas');
    expect(api.requests[1]).toMatchObject({
      method: 'PATCH',
      path: '/apis/apps/v1/namespaces/data/statefulsets/db/scale',
      body: { spec: { replicas: 6 } },
    });
  });

  it('restart: strategic-merge-patches the pod template restartedAt annotation, like kubectl rollout restart', async () => {
    api.requests.length = 0;
    const ex = kubernetesRestartExecutor({ kubeConfig, now: () => new Date('2026-11-30T08:00:00Z') });
    const action = {
      type: 'restart' as const,
      target: { kind: 'Deployment' as const, namespace: 'shop', name: 'checkout' },
    };
    expect(await ex.execute(action, decision)).toBe(
      `restarted Deployment shop/checkout (${RESTARTED_AT_ANNOTATION}=2026-11-30T08:00:00.000Z)`,
    );
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]).toMatchObject({
      method: 'PATCH',
      path: '/apis/apps/v1/namespaces/shop/deployments/checkout',
      contentType: 'application/strategic-merge-patch+json',
      body: {
        spec: {
          template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: '2026-11-30T08:00:00.000Z' } } },
        },
      },
    });
    expect(api.annotations.get('deployments/shop/checkout')).toEqual({
      [RESTARTED_AT_ANNOTATION]: '2026-11-30T08:00:00.000Z',
    });
  });

  it("fails with the API server's message when the workload does not exist", async () => {
    const ex = kubernetesScaleExecutor({ kubeConfig });
    await expect(ex.execute(scale({ name: 'ghost' }), decision)).rejects.toThrow(/404|not found/);
  });

  it('under a storm of incidents, the engine patches the cluster no more than its guardrails allow', async () => {
    api.replicas.set('deployments/shop/checkout', 2);
    api.requests.length = 0;
    let now = 0;
    const policies: ResponsePolicy[] = [
      {
        name: 'scale-out',
        on: 'incident',
        match: { severity: 'critical' },
        action: {
          type: 'scale',
          target: { kind: 'Deployment', namespace: 'shop', name: '{service}' },
          min: 2,
          max: 50,
        },
      },
      {
        name: 'restart',
        on: 'incident',
        match: { severity: 'critical' },
        action: { type: 'restart', target: { kind: 'Deployment', namespace: 'shop', name: '{service}' } },
      },
    ];
    const engine = new ResponseEngine({
      policies,
      executors: [kubernetesScaleExecutor({ kubeConfig }), kubernetesRestartExecutor({ kubeConfig })],
      dryRun: false,
      cooldown: 10 * 60_000,
      rateLimit: { burst: 4, perMinute: 2 },
      maxActionsPerHour: 6,
      clock: () => now,
    });
    const all = [];
    for (let k = 0; k < 300; k++) {
      now = k * 20_000; // an incident every 20 s for 100 minutes, all blaming checkout
      const incident: Incident = {
        id: `inc-${k}`,
        start: now,
        end: now,
        events: [],
        series: ['checkout/latency'],
        peakScore: 1,
        severity: 'critical',
        open: true,
      };
      // Awaited one by one: the simulated clock stands for real time, in which each patch lands before the next.
      all.push(await engine.handleIncident(incident, 'opened'));
    }
    const decisions = all.flat();
    const executed = decisions.filter((d) => d.outcome === 'executed');
    const patches = api.requests.filter((r) => r.method === 'PATCH');
    expect(patches).toHaveLength(executed.length);
    // 100 minutes, one target per action type with a 10-minute cooldown: at most 10 each, and 6 an hour in all.
    expect(executed.length).toBe(12);
    expect(executed.filter((d) => d.action.type === 'restart')).toHaveLength(6);
    const times = executed.map((d) => d.time);
    for (const t of times)
      expect(times.filter((u) => u >= t && u < t + 3_600_000).length).toBeLessThanOrEqual(6);
    expect(api.replicas.get('deployments/shop/checkout')).toBe(
      2 + executed.filter((d) => d.action.type === 'scale').length,
    );
    expect(decisions).toHaveLength(600);
  });
});
