/**
 * Fixed-rate load from its own process: `http PORT RATE SECONDS` with autocannon, `grpc PORT RATE SECONDS`
 * with a paced @grpc/grpc-js client on one channel. Prints one JSON line: requests, errors, throughput and
 * latency percentiles (ms).
 */
import { credentials, makeGenericClientConstructor } from '@grpc/grpc-js';
import autocannon from 'autocannon';
import { greeterService } from './greeter.ts';

const [kind, portText, rateText, secondsText] = process.argv.slice(2);
const port = Number(portText);
const rate = Number(rateText);
const seconds = Number(secondsText);
const CONNECTIONS = 8;

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  return sorted[lo] + (h - lo) * (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]);
}

if (kind === 'http') {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/items/42?q=1`,
    connections: CONNECTIONS,
    overallRate: rate,
    duration: seconds,
  });
  console.log(
    JSON.stringify({
      requests: result.requests.total,
      errors: result.errors + result.non2xx,
      throughput: result.requests.total / result.duration,
      p50: result.latency.p50,
      p99: result.latency.p99,
    }),
  );
} else {
  const Client = makeGenericClientConstructor(greeterService, 'Greeter');
  const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
  await new Promise<void>((resolve, reject) =>
    client.waitForReady(Date.now() + 5000, (e) => (e ? reject(e) : resolve())),
  );
  const latencies = new Float64Array(Math.ceil(rate * seconds) + 16);
  let done = 0;
  let errors = 0;
  let sent = 0;
  const start = performance.now();
  const total = Math.floor(rate * seconds);
  // Paced in 5 ms slots: each slot sends the calls that are due by then.
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
      for (; sent < due; sent++) {
        const t0 = performance.now();
        (client as unknown as Record<string, (req: unknown, cb: (e: Error | null) => void) => void>).SayHello(
          { name: `n${sent}` },
          (e) => {
            if (e) errors++;
            else latencies[done] = performance.now() - t0;
            done++;
            if (done === total) resolve();
          },
        );
      }
      if (sent === total) clearInterval(tick);
    }, 5);
  });
  const elapsed = (performance.now() - start) / 1000;
  const sorted = latencies.subarray(0, done - errors).sort();
  console.log(
    JSON.stringify({
      requests: done,
      errors,
      throughput: done / elapsed,
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
    }),
  );
  client.close();
}
