/**
 * Sustained OTLP ingest through Vigil's receivers into a Pipeline with the recommended default detector
 * (`createDetector('ensemble')`), side by side: OTLP/HTTP protobuf, protobuf + gzip (the Collector's default),
 * JSON, and OTLP/gRPC; and, as the baseline each is compared with, the same protobuf traffic into a sink that does
 * nothing (decoding and translation only). 100 gauge series, one point each per request; the detectors are fitted
 * before measuring, so every measured point is scored. Client and server share this process (2 cores): numbers
 * are for comparing the rows with each other.
 */
import { Agent, request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { Pipeline } from '@vigil/core';
import { createDetector } from '@vigil/detectors';
import {
  METRICS_SERVICE_PROTO,
  MetricsIngest,
  otlpTypes,
  protoDir,
  startOtlpGrpcReceiver,
  startOtlpHttpReceiver,
} from '@vigil/server';
import { type Row, writeResult } from '../lib/report.js';

const SERIES = Number(process.env.INGEST_SERIES ?? 100);
const WARMUP = 180;
const REQUESTS = Number(process.env.INGEST_REQUESTS ?? 400);
const CONCURRENCY = 4;
const STEP = 10_000;
const T0 = Date.parse('2026-01-01T00:00:00Z');

/** Seeded noise for the values (no Math.random). */
let seed = 12345;
const noise = () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 2 ** 32 - 0.5;
};

/** One export request: a point of every series at step `i`, in the OTLP/JSON object shape. */
function requestAt(i: number) {
  const t = `${T0 + i * STEP}000000`;
  return {
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bench' } }] },
        scopeMetrics: [
          {
            metrics: Array.from({ length: SERIES }, (_, s) => ({
              name: `metric.${s}`,
              gauge: {
                dataPoints: [{ timeUnixNano: t, asDouble: 100 + s + 10 * Math.sin(i / 30) + 2 * noise() }],
              },
            })),
          },
        ],
      },
    ],
  };
}

const { request: RequestType } = otlpTypes();
const protobuf = (o: object) => Buffer.from(RequestType.encode(RequestType.fromObject(o)).finish());

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
function post(url: string, body: Buffer, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: 'POST', agent, headers: { ...headers, 'content-length': String(body.length) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Sends `bodies` with CONCURRENCY requests in flight; returns per-request latencies (ms) and wall time. */
async function drive(send: (k: number) => Promise<void>, n: number) {
  const latencies = new Float64Array(n);
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) {
        const k = next++;
        const t = performance.now();
        await send(k);
        latencies[k] = performance.now() - t;
      }
    }),
  );
  const wall = (performance.now() - start) / 1000;
  latencies.sort();
  return { wall, p50: latencies[Math.floor(n * 0.5)], p99: latencies[Math.floor(n * 0.99)] };
}

const pipeline = new Pipeline({ createDetector: () => createDetector('ensemble'), warmup: WARMUP });
const ingest = new MetricsIngest(pipeline);
const http = await startOtlpHttpReceiver(ingest, { port: 0 });
const grpcRx = await startOtlpGrpcReceiver(ingest, { port: 0 });
const url = `${http.url}/v1/metrics`;

// Warm-up: enough points for every series' detector, then wait for the fits (run in the background by the Pipeline).
console.log(`warming up: ${WARMUP} requests of ${SERIES} series, then fitting ${SERIES} default detectors …`);
let step = 0;
for (; step < WARMUP + 1; step++)
  await post(url, protobuf(requestAt(step)), { 'content-type': 'application/x-protobuf' });
const fitStart = performance.now();
await pipeline.idle();
const fitSeconds = (performance.now() - fitStart) / 1000;
console.log(`fitted ${pipeline.stats.fits} detectors in ${fitSeconds.toFixed(1)} s`);

const rows: Row[] = [];
async function measure(name: string, send: (k: number) => Promise<void>, prepare?: (k: number) => void) {
  const first = step;
  if (prepare) for (let k = 0; k < REQUESTS; k++) prepare(first + k);
  const scoredBefore = pipeline.stats.scored;
  const rssBefore = process.memoryUsage().rss;
  const r = await drive((k) => send(first + k), REQUESTS);
  step += REQUESTS;
  const points = REQUESTS * SERIES;
  rows.push({
    transport: name,
    requests: REQUESTS,
    points,
    'points/s': Math.round(points / r.wall),
    'requests/s': Math.round(REQUESTS / r.wall),
    'p50 ms': r.p50,
    'p99 ms': r.p99,
    scored: pipeline.stats.scored - scoredBefore,
    'rss MB': Math.round(process.memoryUsage().rss / 2 ** 20),
    'rss growth MB': Math.round((process.memoryUsage().rss - rssBefore) / 2 ** 20),
  });
}

// Bodies are encoded before the clock starts: the client's encoding is not the receiver's cost.
const bodies = new Map<number, Buffer>();
const encode = (fn: (o: object) => Buffer) => (k: number) => bodies.set(k, fn(requestAt(k)));
await measure(
  'http/protobuf',
  async (k) => void (await post(url, bodies.get(k)!, { 'content-type': 'application/x-protobuf' })),
  encode(protobuf),
);
await measure(
  'http/protobuf+gzip',
  async (k) =>
    void (await post(url, bodies.get(k)!, {
      'content-type': 'application/x-protobuf',
      'content-encoding': 'gzip',
    })),
  encode((o) => gzipSync(protobuf(o))),
);
await measure(
  'http/json',
  async (k) => void (await post(url, bodies.get(k)!, { 'content-type': 'application/json' })),
  encode((o) => Buffer.from(JSON.stringify(o))),
);
const def = loadSync(METRICS_SERVICE_PROTO, { includeDirs: [protoDir()], longs: String, defaults: false });
const Client = grpc.makeGenericClientConstructor(
  def['opentelemetry.proto.collector.metrics.v1.MetricsService'] as grpc.ServiceDefinition,
  'MetricsService',
);
const client = new Client(grpcRx.address, grpc.credentials.createInsecure()) as unknown as {
  Export: (r: object, cb: (e: grpc.ServiceError | null) => void) => void;
  close(): void;
};
const objects = new Map<number, object>();
await measure(
  'grpc (client encodes)',
  (k) =>
    new Promise<void>((resolve, reject) =>
      client.Export(objects.get(k)!, (e) => (e ? reject(e) : resolve())),
    ),
  (k) => objects.set(k, requestAt(k)),
);
client.close();

// Baseline: the same protobuf traffic into a sink that does nothing.
let sunk = 0;
const noop = new MetricsIngest({ push: () => void sunk++, stats: { dropped: 0 } });
const baseline = await startOtlpHttpReceiver(noop, { port: 0 });
await measure(
  'http/protobuf, no-op sink (baseline)',
  async (k) =>
    void (await post(`${baseline.url}/v1/metrics`, bodies.get(k)!, {
      'content-type': 'application/x-protobuf',
    })),
  encode(protobuf),
);
rows[rows.length - 1].scored = sunk;
await Promise.all([http.close(), grpcRx.close(), baseline.close()]);
agent.destroy();

const base = rows[rows.length - 1]['points/s'] as number;
for (const r of rows) r['vs baseline'] = Number(((r['points/s'] as number) / base).toFixed(3));
writeResult('ingest', rows, {
  setup: {
    series: SERIES,
    pointsPerRequest: SERIES,
    requestsPerTransport: REQUESTS,
    concurrency: CONCURRENCY,
    detector: "createDetector('ensemble') (the recommended default)",
    warmupPoints: WARMUP,
    fitSecondsForAllSeries: Number(fitSeconds.toFixed(2)),
    note: 'client and server in one process on the same cores; compare rows with each other, not with other machines',
  },
});
