import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { OTLPMetricExporter as JsonExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricsIngest } from '../../src/otlp/metrics-ingest.js';
import { otlpTypes } from '../../src/otlp/proto-root.js';
import { type OtlpHttpReceiver, startOtlpHttpReceiver } from '../../src/receivers/otlp-http.js';
import { otelClient } from '../helpers/otel-client.js';
import { RecordingSink } from '../helpers/recording-sink.js';

let rx: OtlpHttpReceiver | undefined;
afterEach(async () => {
  await rx?.close();
  rx = undefined;
});

async function start(options = {}, sink = new RecordingSink()) {
  rx = await startOtlpHttpReceiver(new MetricsIngest(sink, { maxSeries: 50 }), { port: 0, ...options });
  return { sink, url: `${rx.url}/v1/metrics` };
}

function post(
  url: string,
  body: Buffer | string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Records a gauge and a counter twice through a real exporter and returns what arrived. */
async function sendThrough(exporterFor: (url: string) => ProtoExporter | JsonExporter) {
  const { sink, url } = await start();
  const client = otelClient(exporterFor(url));
  let level = 41;
  client.meter.createObservableGauge('queue.depth').addCallback((r) => r.observe(level, { queue: 'pay' }));
  const requests = client.meter.createCounter('http.requests');
  requests.add(10, { route: '/pay' });
  await client.flush();
  level = 42;
  await new Promise((r) => setTimeout(r, 20));
  requests.add(5, { route: '/pay' });
  await client.flush();
  await client.shutdown();
  return sink;
}

describe('OTLP/HTTP receiver with the real OpenTelemetry JS exporters', () => {
  const cases: Array<[string, (url: string) => ProtoExporter | JsonExporter]> = [
    ['protobuf (the SDK default)', (url) => new ProtoExporter({ url })],
    ['protobuf + gzip', (url) => new ProtoExporter({ url, compression: 'gzip' as never })],
    ['JSON', (url) => new JsonExporter({ url })],
    ['JSON + gzip', (url) => new JsonExporter({ url, compression: 'gzip' as never })],
  ];
  for (const [name, make] of cases) {
    it(`receives gauges and counters sent as ${name}`, async () => {
      const sink = await sendThrough(make);
      // Two flushes, then the shutdown's own export.
      expect(sink.points.get('checkout/queue.depth{queue=pay}')?.map(([, v]) => v)).toEqual([41, 42, 42]);
      // A cumulative counter becomes a rate from the second export on: 5 more requests over the interval.
      const rate = sink.points.get('checkout/http.requests{route=/pay}')!;
      expect(rate.length).toBeGreaterThanOrEqual(1);
      const [t1] = sink.points.get('checkout/queue.depth{queue=pay}')![0];
      expect(rate[0][1]).toBeCloseTo(5 / ((rate[0][0] - t1) / 1000), 6);
      expect(rx!.stats.byStatus[200]).toBe(3);
    });
  }
});

describe('OTLP/HTTP receiver refusals', () => {
  const gauge = {
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'web' } }] },
        scopeMetrics: [
          {
            metrics: [
              {
                name: 'cpu',
                gauge: { dataPoints: [{ timeUnixNano: '1700000000000000000', asDouble: 0.5 }] },
              },
            ],
          },
        ],
      },
    ],
  };

  it('answers 400 with a Status naming the wrong field for a JSON body of the wrong shape, and stays up', async () => {
    const { url, sink } = await start();
    const bad = await post(url, JSON.stringify({ resourceMetrics: [{ scopeMetrics: 7 }] }), {
      'content-type': 'application/json',
    });
    expect(bad.status).toBe(400);
    const status = JSON.parse(bad.body.toString());
    expect(status.code).toBe(3);
    expect(status.message).toContain('resourceMetrics[0].scopeMetrics must be an array');
    expect((await post(url, '{not json', { 'content-type': 'application/json' })).status).toBe(400);
    const ok = await post(url, JSON.stringify(gauge), { 'content-type': 'application/json' });
    expect(ok.status).toBe(200);
    expect(sink.points.get('web/cpu')).toEqual([[1_700_000_000_000, 0.5]]);
  });

  it('answers 400 in protobuf for bytes that are not a protobuf request', async () => {
    const { url } = await start();
    const res = await post(url, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]), {
      'content-type': 'application/x-protobuf',
    });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/x-protobuf');
    const status = otlpTypes().status.toObject(otlpTypes().status.decode(res.body)) as { code: number };
    expect(status.code).toBe(3);
  });

  it('answers 413 over the body limit and for a gzip bomb, and keeps serving', async () => {
    const { url } = await start({ maxBodyBytes: 64 * 1024, maxDecompressedBytes: 1024 * 1024 });
    const big = await post(url, Buffer.alloc(200 * 1024, 32), { 'content-type': 'application/json' });
    expect(big.status).toBe(413);
    // 64 MiB of zeros gzip to about 64 KiB: under the body limit, far over the decompressed one.
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(70 * 1024);
    const res = await post(url, bomb.subarray(0, 60 * 1024), {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    });
    expect(res.status).toBe(413);
    const mem = process.memoryUsage().rss;
    const ok = await post(url, JSON.stringify(gauge), { 'content-type': 'application/json' });
    expect(ok.status).toBe(200);
    expect(process.memoryUsage().rss - mem).toBeLessThan(32 * 1024 * 1024);
  });

  it('answers 415 for another content type or encoding, 404 elsewhere, 401 without the token', async () => {
    const { url } = await start({ bearerToken: 's3cret' });
    const auth = { authorization: 'Bearer s3cret' };
    expect((await post(url, 'x', { 'content-type': 'text/plain', ...auth })).status).toBe(415);
    expect(
      (await post(url, 'x', { 'content-type': 'application/json', 'content-encoding': 'br', ...auth }))
        .status,
    ).toBe(415);
    expect(
      (
        await post(url.replace('/v1/metrics', '/v1/traces'), '{}', {
          'content-type': 'application/json',
          ...auth,
        })
      ).status,
    ).toBe(404);
    expect((await post(url, JSON.stringify(gauge), { 'content-type': 'application/json' })).status).toBe(401);
    expect(
      (await post(url, JSON.stringify(gauge), { 'content-type': 'application/json', ...auth })).status,
    ).toBe(200);
  });

  it('answers 429 with Retry-After past the in-flight limit and 503 with Retry-After when not ready', async () => {
    const { url } = await start({ maxInFlightBytes: 1000, retryAfterSeconds: 7 });
    const tooMuch = await post(url, Buffer.alloc(2000, 32), { 'content-type': 'application/json' });
    expect(tooMuch.status).toBe(429);
    expect(tooMuch.headers['retry-after']).toBe('7');
    rx!.ready = false;
    const notReady = await post(url, JSON.stringify(gauge), { 'content-type': 'application/json' });
    expect(notReady.status).toBe(503);
    expect(notReady.headers['retry-after']).toBe('7');
  });

  it('reports rejected points as a partial success (malformed points, series over the limit)', async () => {
    const { url } = await start();
    const many = {
      resourceMetrics: [
        {
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'm',
                  gauge: {
                    dataPoints: [
                      ...Array.from({ length: 60 }, (_, i) => ({
                        attributes: [{ key: 'i', value: { intValue: String(i) } }],
                        timeUnixNano: '1700000000000000000',
                        asDouble: i,
                      })),
                      { timeUnixNano: 'soon', asDouble: 1 },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    const res = await post(url, JSON.stringify(many), { 'content-type': 'application/json' });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body.toString());
    expect(body.partialSuccess.rejectedDataPoints).toBe('11');
    expect(body.partialSuccess.errorMessage).toContain('10 points of new series over the limit of 50 series');
    expect(body.partialSuccess.errorMessage).toContain('1 points without a time');
  });
});
