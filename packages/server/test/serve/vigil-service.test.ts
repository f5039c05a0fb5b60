import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Incident } from '@vigil/core';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { VigilService } from '../../src/serve/vigil-service.js';
import { startHttpSink, until } from '../helpers/http-sink.js';
import { gaugeRequest, noise, postJson } from '../helpers/otlp-json.js';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const STEP = 10_000;

const running: VigilService[] = [];
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
  await Promise.all(closers.splice(0).map((c) => c()));
});

function config(extra: object = {}, dir?: string) {
  return parseConfig({
    receivers: { otlpHttp: { host: '127.0.0.1', port: 0 }, otlpGrpc: { host: '127.0.0.1', port: 0 } },
    admin: { host: '127.0.0.1', port: 0 },
    outputs: { console: { enabled: false } },
    pipeline: {
      warmup: 130,
      incidentWindowMs: 60_000,
      detectors: [{ match: 'web/queue*', kind: 'mad', options: { window: 30 } }],
    },
    ...(dir ? { state: { dir, intervalSeconds: 3600 } } : {}),
    ...extra,
  });
}

async function start(c: ReturnType<typeof config>, outputs = []) {
  const s = await VigilService.start(c, { outputs, write: () => {} });
  running.push(s);
  return s;
}

/** Sends `n` points of two gauges starting at index `from`; `spike(i)` adds to the queue depth. */
async function send(s: VigilService, from: number, n: number, spike: (i: number) => number = () => 0) {
  const r = noise(7 + from);
  for (let i = from; i < from + n; i++) {
    const t = T0 + i * STEP;
    const status = await postJson(
      s.http!.url,
      gaugeRequest('web', [
        ['queue.depth', t, 20 + 2 * r() + spike(i)],
        ['cpu', t, 0.4 + 0.05 * Math.sin(i / 10) + 0.01 * r()],
      ]),
    );
    expect(status).toBe(200);
  }
}

describe('VigilService (vigil serve)', () => {
  it('detects through OTLP, alerts Alertmanager, and serves /healthz /readyz /metrics', async () => {
    const am = await startHttpSink();
    closers.push(am.close);
    const incidents: Array<[Incident, string]> = [];
    const s = await start(
      config({ outputs: { console: { enabled: false }, alertmanager: { url: am.url } } }),
      [{ name: 'test', onIncident: (i: Incident, c: string) => incidents.push([i, c]) }] as never,
    );
    const admin = s.admin!.url;
    expect((await fetch(`${admin}/healthz`)).status).toBe(200);
    expect((await fetch(`${admin}/readyz`)).status).toBe(200);
    await send(s, 0, 140);
    await s.pipeline.idle();
    await send(s, 140, 12, (i) => (i >= 144 && i < 150 ? 40 : 0));
    await until(() => incidents.some(([i]) => i.series.includes('web/queue.depth')), 10_000, 'an incident');
    await until(() => am.received.length > 0, 10_000, 'the webhook');
    const alert = JSON.parse(am.received[0].body.toString())[0];
    expect(alert.labels.alertname).toBe('VigilIncident');
    expect(alert.annotations.description).toContain('web/queue.depth');
    const metrics = await (await fetch(`${admin}/metrics`)).text();
    expect(metrics).toMatch(/vigil_points_total\{outcome="accepted"\} 304/);
    expect(metrics).toMatch(/vigil_otlp_requests_total\{transport="http",status="200"\} 152/);
    expect(metrics).toMatch(/vigil_series 2/);
    await s.stop();
    expect((await fetch(`${admin}/readyz`).catch(() => ({ status: 0 }))).status).not.toBe(200);
  });

  it('restarts from its snapshot and scores the next point exactly as the old process would have', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-state-'));
    const a = await start(config({}, dir));
    // queue.depth gets the MAD detector by its rule, cpu the recommended default (the ensemble).
    await send(a, 0, 140);
    await a.pipeline.idle();
    await a.stop(); // saves the snapshot
    const b = await start(config({}, dir));
    expect(b.restoredDetectors).toBe(2);
    const t = T0 + 140 * STEP;
    // The old process (its pipeline lives on in memory) and the new one see the same next points.
    for (const [key, v] of [
      ['web/queue.depth', 31],
      ['web/cpu', 0.47],
    ] as const) {
      const old = a.pipeline.push(key, t, v);
      const now = b.pipeline.push(key, t, v);
      expect(old?.status).toBe('scored');
      expect(now).toEqual(old);
    }
    expect(b.pipeline.stats.series).toBe(2);
  });

  it('refuses a configuration that cannot run, naming the field', async () => {
    await expect(
      start(config({ pipeline: { detectors: [{ match: '*', kind: 'prophecy' }] } })),
    ).rejects.toThrow(/pipeline\.detectors\[0\]\.kind: unknown detector 'prophecy'; use one of .*ensemble/);
    const first = await start(config());
    await expect(
      start(
        config({
          receivers: {
            otlpHttp: { host: '127.0.0.1', port: Number(new URL(first.http!.url).port) },
            otlpGrpc: { port: 0 },
          },
        }),
      ),
    ).rejects.toThrow(/receivers\.otlpHttp\.port: port \d+ is already in use/);
  });
});
