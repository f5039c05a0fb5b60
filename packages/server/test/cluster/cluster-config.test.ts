import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Incident, PointScore, VigilInputError } from '@vigil/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectCluster } from '../../src/cluster/cluster-connection.js';
import { parseConfig } from '../../src/config/load-config.js';
import { VigilService } from '../../src/serve/vigil-service.js';
import { until } from '../helpers/http-sink.js';
import { type NatsServerProcess, natsUnavailable, startNatsServer } from '../helpers/nats-server.js';
import { gaugeRequest, noise, postJson } from '../helpers/otlp-json.js';

function errorOf(f: () => unknown): VigilInputError {
  try {
    f();
  } catch (e) {
    return e as VigilInputError;
  }
  throw new Error('expected an error');
}

async function rejectionOf(p: Promise<unknown>): Promise<VigilInputError> {
  try {
    await p;
  } catch (e) {
    return e as VigilInputError;
  }
  throw new Error('expected a rejection');
}

const base = {
  receivers: { otlpHttp: { host: '127.0.0.1', port: 0 }, otlpGrpc: { enabled: false } },
  admin: { enabled: false },
  outputs: { console: { enabled: false } },
  pipeline: {
    warmup: 40,
    incidentWindowMs: 60_000,
    defaultDetector: { kind: 'mad', options: { window: 30 } },
  },
};

describe('cluster configuration', () => {
  it('is absent by default: one process, nothing else needed', () => {
    expect(parseConfig({}).cluster).toBeUndefined();
  });

  it('fills defaults around the NATS servers', () => {
    expect(parseConfig({ cluster: { nats: { servers: 'nats://n:4222' } } }).cluster).toMatchObject({
      name: 'vigil',
      partitions: 16,
      worker: true,
      leaseMs: 2000,
      snapshotIntervalMs: 5000,
    });
  });

  it.each([
    [{}, 'cluster.nats'],
    [{ nats: { servers: [] } }, 'cluster.nats.servers'],
    [{ nats: { servers: 'nats://n:4222' }, partitions: 0 }, 'cluster.partitions'],
    [{ nats: { servers: 'nats://n:4222' }, partitions: 2.5 }, 'cluster.partitions'],
    [{ nats: { servers: 'nats://n:4222' }, name: 'a.b' }, 'cluster.name'],
    [{ nats: { servers: 'nats://n:4222' }, leaseMs: 10 }, 'cluster.leaseMs'],
    [{ nats: { servers: 'nats://n:4222' }, snapshotIntervalMs: -1 }, 'cluster.snapshotIntervalMs'],
    [{ nats: { servers: 'nats://n:4222' }, partitons: 8 }, 'cluster'],
  ])('names the field of a wrong cluster section %j', (cluster, field) => {
    const e = errorOf(() => parseConfig({ cluster }));
    expect(e.code).toBe('INVALID_OPTION');
    expect(e.field).toBe(field);
    expect(e.message).toContain(field);
  });

  it('names cluster.nats.servers when NATS cannot be reached', async () => {
    const config = parseConfig({
      ...base,
      cluster: { nats: { servers: 'nats://127.0.0.1:1', timeoutMs: 500 } },
    });
    const e = await rejectionOf(VigilService.start(config, { write: () => {} }));
    expect(e.field).toBe('cluster.nats.servers');
    expect(e.message).toMatch(/cannot connect to nats:\/\/127\.0\.0\.1:1/);
  });
});

const skip = natsUnavailable();
if (skip) console.warn(`cluster service tests skipped: ${skip}`);

describe.skipIf(skip !== undefined)('vigil serve with a cluster on a real nats-server', () => {
  let nats: NatsServerProcess;
  const running: VigilService[] = [];
  beforeAll(async () => {
    nats = await startNatsServer();
  });
  afterAll(async () => {
    await nats?.stop();
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.stop()));
  });

  it('refuses a partition count or a state.dir the cluster cannot use, naming the field', async () => {
    const cluster = { nats: { servers: nats.url }, name: 'cfg', partitions: 8 };
    const first = await connectCluster(parseConfig({ cluster }).cluster!);
    await first.nc.close();
    const e = await rejectionOf(
      connectCluster(parseConfig({ cluster: { ...cluster, partitions: 4 } }).cluster!),
    );
    expect(e.field).toBe('cluster.partitions');
    expect(e.message).toContain('8 partitions');
    const dir = mkdtempSync(join(tmpdir(), 'vigil-state-'));
    const withState = parseConfig({ ...base, cluster, state: { dir } });
    const e2 = await rejectionOf(VigilService.start(withState, { write: () => {} }));
    expect(e2.field).toBe('state.dir');
  });

  it('receives OTLP on one member, scores on both, and reports one merged incident', async () => {
    const cluster = { nats: { servers: nats.url }, name: 'serve', partitions: 8, leaseMs: 1000 };
    const scores = new Map<string, string>();
    const incidents: Incident[] = [];
    const start = async (id: string) => {
      const config = {
        ...base,
        admin: { host: '127.0.0.1', port: 0 },
        cluster: { ...cluster, workerId: id },
      };
      const s = await VigilService.start(parseConfig(config), {
        write: () => {},
        onScore: (key: string, _t: number, _v: number, score: PointScore | undefined) => {
          if (score?.status === 'scored') scores.set(key, id);
        },
        outputs: [{ name: 'test', onIncident: (i) => incidents.push(i) }],
      });
      running.push(s);
      return s;
    };
    const a = await start('a');
    const b = await start('b');
    expect(b.cluster!.worker).toBeDefined();
    await until(() => a.cluster!.worker!.partitions.length === 4, 15_000, 'a balanced assignment');
    const services = ['web', 'db', 'cache', 'queue', 'auth', 'search'];
    const T0 = Date.parse('2026-03-01T00:00:00Z');
    const r = noise(3);
    for (let i = 0; i < 120; i++) {
      const t = T0 + i * 10_000;
      for (const svc of services) {
        const spike = (svc === 'web' || svc === 'db') && i >= 100 && i < 106 ? 60 : 0;
        expect(await postJson(a.http!.url, gaugeRequest(svc, [['latency', t, 50 + 2 * r() + spike]]))).toBe(
          200,
        );
      }
    }
    await a.cluster!.publisher.flush();
    await until(() => scores.size === services.length, 15_000, 'every series scored');
    // Both members scored: the receiving one does not score what it does not hold.
    expect(new Set(scores.values())).toEqual(new Set(['a', 'b']));
    await until(
      () => incidents.some((i) => i.series.includes('web/latency') && i.series.includes('db/latency')),
      15_000,
      'a merged incident',
    );
    // /metrics of the receiving member: what it published and the partitions it holds.
    const metrics = await (await fetch(`${a.admin!.url}/metrics`)).text();
    expect(metrics).toContain(`vigil_cluster_points_total{outcome="published"} ${120 * services.length}`);
    expect(metrics).toMatch(/vigil_cluster_partitions 4/);
    expect(metrics).toMatch(/vigil_cluster_workers_live 2/);
    // Lease renewals (every 250 ms): none lapsed, and no gap between renewal rounds near twice the 1 s lease.
    expect(metrics).not.toMatch(/vigil_cluster_lease_lapses_total [1-9]/);
    const gap = Number(/vigil_cluster_lease_renewal_gap_max_seconds ([\d.]+)/.exec(metrics)?.[1]);
    expect(gap).toBeGreaterThan(0);
    expect(gap).toBeLessThan(2);
    // The member leading the merger saved its state (after announcing the incident, at the latest).
    const saved = [a, b].map((s) => s.cluster!.merger.stats.snapshots).reduce((x, y) => x + y, 0);
    expect(saved).toBeGreaterThan(0);
    expect(metrics).toMatch(/vigil_points_total\{outcome="accepted"\} [1-9]/);
  });
});
