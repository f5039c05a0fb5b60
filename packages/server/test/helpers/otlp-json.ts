/** An OTLP/JSON export request of gauges: `points` as [metric, t ms, value], all for one service. */
export function gaugeRequest(service: string, points: Array<[string, number, number]>) {
  return {
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeMetrics: [
          {
            metrics: points.map(([name, t, v]) => ({
              name,
              gauge: { dataPoints: [{ timeUnixNano: `${t}000000`, asDouble: v }] },
            })),
          },
        ],
      },
    ],
  };
}

/** POSTs an OTLP/JSON request and returns the status. */
export async function postJson(url: string, body: object): Promise<number> {
  const res = await fetch(`${url}/v1/metrics`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}

/** Seeded noise in [-1, 1] (a small LCG: tests must not use Math.random). */
export function noise(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  };
}
