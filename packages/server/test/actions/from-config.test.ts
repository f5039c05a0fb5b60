import type { ActionExecutor, Incident } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createResponseEngine } from '../../src/actions/from-config.js';
import { parseConfig } from '../../src/config/load-config.js';

const yaml = `
actions:
  cooldownMs: 600000
  maxActionsPerHour: 4
  policies:
    - name: scale-out-on-latency
      on: incident
      match: { severity: critical, series: "*/http.server.request.duration", minDurationMs: 120000 }
      action:
        type: scale
        target: { kind: Deployment, namespace: shop, name: "{service}" }
        min: 2
        max: 8
    - name: restart-before-oom
      on: forecast
      match: { etaBelowMs: 21600000 }
      action: { type: restart, target: { kind: Deployment, name: "{service}" } }
`;

describe('actions section of vigil.yaml', () => {
  it('builds a dry-run engine whose decisions name the root-cause service and the reason', async () => {
    const config = parseConfig(parse(yaml));
    expect(config.actions).toMatchObject({
      dryRun: true,
      cooldownMs: 600_000,
      rateLimit: { burst: 3, perMinute: 1 },
    });
    const planned: string[] = [];
    const recorder = (type: 'scale' | 'restart'): ActionExecutor => ({
      type,
      plan: async (a) => {
        planned.push(JSON.stringify(a));
        return `would ${type}`;
      },
      execute: async () => {
        throw new Error('must not run in a dry run');
      },
    });
    const engine = createResponseEngine(config.actions, {
      executors: [recorder('scale'), recorder('restart')],
    });
    const incident: Incident = {
      id: 'inc-1',
      start: 0,
      end: 300_000,
      events: [],
      series: ['checkout/http.server.request.duration', 'payments/http.server.request.duration'],
      peakScore: 1,
      severity: 'critical',
      open: true,
    };
    const [scale] = await engine.handleIncident(incident, 'updated');
    expect(scale).toMatchObject({
      outcome: 'dry-run',
      target: 'scale Deployment shop/checkout by +1 within [2, 8]',
      detail: 'would scale',
    });
    const [restart] = await engine.handleForecast({
      seriesKey: 'payments/process.memory.usage',
      eta: 3 * 3_600_000,
      summary: 'payments memory reaches 1 GB in 3.0 h',
    });
    expect(restart).toMatchObject({
      outcome: 'dry-run',
      target: 'restart Deployment default/payments',
      reason: 'payments memory reaches 1 GB in 3.0 h',
    });
    expect(planned).toHaveLength(2);
  });

  it('rejects a policy with a bad action in the config, naming the path', () => {
    expect(() =>
      parseConfig({
        actions: {
          policies: [
            {
              name: 'x',
              on: 'incident',
              action: { type: 'scale', target: { kind: 'Deployment', name: 'a' }, min: 1 },
            },
          ],
        },
      }),
    ).toThrow(/actions\.policies\.0\.action\.max/);
    expect(() =>
      parseConfig({ actions: { policies: [{ name: 'x', on: 'incident', action: { type: 'reboot' } }] } }),
    ).toThrow(/actions\.policies\.0\.action/);
  });
});
