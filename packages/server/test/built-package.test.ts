import { createRequire } from 'node:module';
// The built package, resolved by name through the workspace link, as a user imports it.
import * as server from '@vigil/server';
import { describe, expect, it } from 'vitest';

describe('@vigil/server as published', () => {
  it('decodes an OTLP protobuf request from the ESM build (finding its proto/ folder)', async () => {
    const ingest = new server.MetricsIngest({ push: () => {}, stats: { dropped: 0 } });
    expect(ingest.stats.requests).toBe(0);
    const decoded = server.decodeMetricsRequest(Buffer.alloc(0), 'protobuf');
    expect(decoded).toEqual({});
    expect(() => server.parseConfig({ pipeline: { warmup: 1 } })).toThrow(/pipeline\.warmup/);
  });

  it('builds a dry-run response engine with the default executors from the actions section', () => {
    const engine = server.createResponseEngine(server.parseConfig({}).actions);
    expect(engine.dryRun).toBe(true);
    expect(server.defaultExecutors().map((e) => e.type)).toEqual(['webhook', 'scale', 'restart', 'exec']);
    expect(
      server.scaledReplicas(9, {
        type: 'scale',
        target: { kind: 'Deployment', namespace: 'a', name: 'b' },
        min: 1,
        max: 5,
      }),
    ).toBe(5);
  });

  it('exposes the same surface from the CJS build, which also finds the proto/ folder', () => {
    const cjs = createRequire(import.meta.url)('@vigil/server') as typeof server;
    expect(Object.keys(cjs).sort()).toEqual(Object.keys(server).sort());
    expect(cjs.decodeMetricsRequest(Buffer.alloc(0), 'protobuf')).toEqual({});
  });
});
