import type { Incident } from '@vigil/core';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertmanagerOutput, type PostableAlert } from '../../src/outputs/alertmanager-output.js';
import { startHttpSink } from '../helpers/http-sink.js';

const incident = (open: boolean): Incident => ({
  id: 'inc-1',
  start: Date.parse('2026-01-01T00:00:00Z'),
  end: Date.parse('2026-01-01T00:05:00Z'),
  events: [],
  series: ['checkout/latency', 'payments/errors'],
  peakScore: 0.99991,
  severity: 'critical',
  open,
});

let closeSink: (() => Promise<void>) | undefined;
afterEach(async () => closeSink?.());

describe('AlertmanagerOutput', () => {
  it('posts v2 alerts, retries 503 and 429 with backoff (honouring Retry-After), then resolves with endsAt', async () => {
    const sink = await startHttpSink([503, [429, { 'retry-after': '0' }]]);
    closeSink = sink.close;
    const am = new AlertmanagerOutput({ url: sink.url, initialBackoffMs: 10, labels: { cluster: 'test' } });
    am.onIncident(incident(true), 'opened');
    am.onIncident(incident(false), 'closed');
    await am.shutdown();
    expect(sink.received.map((r) => r.path)).toEqual(Array(4).fill('/api/v2/alerts'));
    const firing = JSON.parse(sink.received[2].body.toString()) as PostableAlert[];
    expect(firing).toEqual([
      {
        labels: { alertname: 'VigilIncident', incident: 'inc-1', severity: 'critical', cluster: 'test' },
        annotations: {
          summary: '2 series anomalous together (peak score 1.000)',
          description: 'Series: checkout/latency, payments/errors',
        },
        startsAt: '2026-01-01T00:00:00.000Z',
      },
    ]);
    const resolved = JSON.parse(sink.received[3].body.toString()) as PostableAlert[];
    expect(resolved[0].endsAt).toBe('2026-01-01T00:05:00.000Z');
    expect(am.stats).toEqual({ sent: 2, retries: 2, failed: 0 });
  });

  it('drops a batch refused with 400 at once, and gives up after maxAttempts on a dead endpoint', async () => {
    const sink = await startHttpSink([400]);
    closeSink = sink.close;
    const am = new AlertmanagerOutput({ url: `${sink.url}/api/v2/alerts`, initialBackoffMs: 5 });
    am.onIncident(incident(true), 'opened');
    await am.idle();
    expect(sink.received).toHaveLength(1);
    expect(am.stats).toEqual({ sent: 0, retries: 0, failed: 1 });
    await am.shutdown();
    const dead = new AlertmanagerOutput({ url: 'http://127.0.0.1:9', maxAttempts: 3, initialBackoffMs: 5 });
    dead.onIncident(incident(true), 'opened');
    await dead.shutdown();
    expect(dead.stats).toEqual({ sent: 0, retries: 2, failed: 1 });
  });
});
