import { createRng } from '@vigil/core';

const MINUTE = 60_000;

/** A labelled fault the replay injects. */
export interface Fault {
  readonly name: string;
  readonly start: number;
  readonly end: number;
  readonly series: readonly string[];
}

interface Service {
  readonly name: string;
  readonly baseLatency: number;
  readonly baseRps: number;
}

const SERVICES: Service[] = [
  { name: 'checkout', baseLatency: 120, baseRps: 40 },
  { name: 'payments', baseLatency: 80, baseRps: 25 },
  { name: 'search', baseLatency: 45, baseRps: 90 },
];

/**
 * What an OpenTelemetry Collector would export over two days for three services, one OTLP/JSON request per minute:
 * request latency (histogram), requests (cumulative sum), CPU and resident memory (gauges). Two faults are
 * injected: a payments database slowdown that raises payments latency and, two minutes later, checkout latency
 * (checkout calls payments), and a CPU spike on search. Payments also leaks memory slowly, under the GC sawtooth.
 */
export function collectorReplay(seed = 11, start = Date.UTC(2026, 10, 23)) {
  const rng = createRng(seed);
  const minutes = 2 * 24 * 60;
  const faults: Fault[] = [
    {
      name: 'payments database slowdown',
      start: start + (30 * 60 + 10) * MINUTE,
      end: start + (30 * 60 + 40) * MINUTE,
      series: ['payments/http.server.request.duration', 'checkout/http.server.request.duration'],
    },
    {
      name: 'search CPU spike',
      start: start + (40 * 60 + 5) * MINUTE,
      end: start + (40 * 60 + 8) * MINUTE,
      series: ['search/process.cpu.utilization'],
    },
  ];
  const inFault = (name: string, t: number) =>
    faults.find((f) => f.name === name && t >= f.start && t < f.end) !== undefined;
  const cumulative = new Map<string, { count: number; sum: number; requests: number }>();
  const requests: object[] = [];
  for (let m = 0; m < minutes; m++) {
    const t = start + m * MINUTE;
    const daily = Math.sin((2 * Math.PI * ((m % 1440) - 540)) / 1440);
    const resourceMetrics = SERVICES.map((svc) => {
      const c = cumulative.get(svc.name) ?? { count: 0, sum: 0, requests: 0 };
      const rps = svc.baseRps * (1 + 0.4 * daily) * (1 + 0.05 * rng.normal());
      const n = Math.max(1, Math.round(rps * 60));
      let latency = svc.baseLatency * (1 + 0.1 * daily) * Math.exp(0.05 * rng.normal());
      // payments' slowdown reaches checkout, its caller, two minutes later.
      const slow = svc.name === 'payments' ? t : svc.name === 'checkout' ? t - 2 * MINUTE : Number.NaN;
      if (inFault('payments database slowdown', slow)) latency *= svc.name === 'payments' ? 4 : 2.2;
      let cpu = 0.35 + 0.2 * daily + 0.02 * rng.normal();
      if (inFault('search CPU spike', t) && svc.name === 'search') cpu = 0.97;
      c.count += n;
      c.sum += n * latency;
      c.requests += n;
      cumulative.set(svc.name, c);
      const nano = `${t}000000`;
      return {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: svc.name } }] },
        scopeMetrics: [
          {
            metrics: [
              {
                name: 'http.server.request.duration',
                histogram: {
                  aggregationTemporality: 2,
                  dataPoints: [{ timeUnixNano: nano, count: String(c.count), sum: c.sum }],
                },
              },
              {
                name: 'http.server.requests',
                sum: {
                  aggregationTemporality: 2,
                  isMonotonic: true,
                  dataPoints: [{ timeUnixNano: nano, asInt: String(c.requests) }],
                },
              },
              {
                name: 'process.cpu.utilization',
                gauge: { dataPoints: [{ timeUnixNano: nano, asDouble: cpu }] },
              },
              {
                name: 'process.memory.usage',
                gauge: { dataPoints: [{ timeUnixNano: nano, asDouble: memory(svc.name, m, rng.normal()) }] },
              },
            ],
          },
        ],
      };
    });
    requests.push({ resourceMetrics });
  }
  return { requests, faults, memoryLimit: MEMORY_LIMIT };
}

/** The containers' memory limit, bytes. */
const MEMORY_LIMIT = 1024 * 1024 * 1024;

/**
 * Resident memory in bytes: a 420 MB floor with a 40 MB GC sawtooth every 20 minutes; payments' floor also grows by
 * 10 MB an hour (a slow leak), nowhere near fast enough to look anomalous minute by minute.
 */
function memory(service: string, minute: number, noise: number): number {
  const MB = 1024 * 1024;
  const leak = service === 'payments' ? (10 * MB * minute) / 60 : 0;
  return 420 * MB + leak + 40 * MB * ((minute % 20) / 20) + 2 * MB * noise;
}
