import type { OtlpMetricsRequest } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import { MetricsIngest } from '../../src/otlp/metrics-ingest.js';
import { RecordingSink } from '../helpers/recording-sink.js';

/** A sink whose store refuses while `storing` is false (a cluster whose JetStream does not acknowledge). */
class FlakyStore extends RecordingSink {
  storing = true;
  stored(): Promise<boolean> {
    return Promise.resolve(this.storing);
  }
}

const T0 = 1_772_323_200_000;

/** One export of a cumulative counter at `t` ms with total `v`, started at T0. */
function counter(t: number, v: number): OtlpMetricsRequest {
  return {
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'web' } }] },
        scopeMetrics: [
          {
            metrics: [
              {
                name: 'requests',
                sum: {
                  aggregationTemporality: 2,
                  isMonotonic: true,
                  dataPoints: [{ startTimeUnixNano: `${T0}000000`, timeUnixNano: `${t}000000`, asDouble: v }],
                },
              },
            ],
          },
        ],
      },
    ],
  } as OtlpMetricsRequest;
}

describe('MetricsIngest.ingestStored', () => {
  it('asks for a retry when the store refuses, and pushes the same points again on the retry (a cumulative counter loses no rate)', async () => {
    const sink = new FlakyStore();
    const ingest = new MetricsIngest(sink);
    const digest = (r: OtlpMetricsRequest) => () => JSON.stringify(r);
    const first = counter(T0 + 10_000, 100);
    expect(await ingest.ingestStored(first, digest(first))).toMatchObject({ stored: true });
    const second = counter(T0 + 20_000, 300);
    expect(await ingest.ingestStored(second, digest(second))).toMatchObject({ stored: true, accepted: 1 });
    sink.storing = false;
    const third = counter(T0 + 30_000, 600);
    expect(await ingest.ingestStored(third, digest(third))).toEqual({ stored: false });
    expect(ingest.stats.unstored).toBe(1);
    // The store lost what it was given: the client resends the same request, the rate is pushed again, not
    // swallowed as a counter value already seen.
    sink.points.get('web/requests')!.pop();
    sink.storing = true;
    expect(await ingest.ingestStored(third, digest(third))).toMatchObject({ stored: true, accepted: 1 });
    expect(sink.points.get('web/requests')).toEqual([
      [T0 + 20_000, 20],
      [T0 + 30_000, 30],
    ]);
  });

  it('acknowledges at once into a sink that stores on push (a Pipeline)', async () => {
    const sink = new RecordingSink();
    const ingest = new MetricsIngest(sink);
    const r = counter(T0 + 10_000, 1);
    expect(await ingest.ingestStored(r, () => 'x')).toEqual({
      stored: true,
      accepted: 0,
      rejected: 0,
      errorMessage: '',
    });
  });
});
