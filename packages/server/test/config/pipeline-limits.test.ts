import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { pipelineOptions } from '../../src/serve/pipeline-options.js';
import { serviceMetrics } from '../../src/serve/service-metrics.js';

describe('pipeline limits in vigil.yaml', () => {
  it('has defaults for every limit and names the field of a wrong one', () => {
    const c = parseConfig({});
    expect(c.pipeline).toMatchObject({
      maxSeries: 100_000,
      maxSeriesPerMetric: 10_000,
      idleTimeoutMs: 86_400_000,
      maxFutureMs: 300_000,
      fitTimeoutMs: 60_000,
      maxQueuedFits: 1000,
      fitNiceness: 0,
    });
    expect(c.pipeline.fitThreads).toBeUndefined();
    expect(c.receivers.maxSeries).toBeUndefined();
    const wrong = (pipeline: object) => {
      try {
        parseConfig({ pipeline });
      } catch (e) {
        return [(e as { field: string }).field, (e as Error).message];
      }
      return ['accepted', ''];
    };
    expect(wrong({ maxFutureMs: -1 })).toEqual([
      'pipeline.maxFutureMs',
      expect.stringContaining('pipeline.maxFutureMs: must be >= 0'),
    ]);
    expect(wrong({ fitThreads: 65 })[0]).toBe('pipeline.fitThreads');
    expect(wrong({ fitNiceness: 20 })[0]).toBe('pipeline.fitNiceness');
    // The fit threads' settings reach the Pipeline's pool.
    const fits = pipelineOptions(parseConfig({ pipeline: { fitThreads: 2, fitNiceness: 7 } })).detectors;
    expect(fits).toMatchObject({ module: '@vigil/detectors', threads: 2, niceness: 7 });
    expect(wrong({ maxSeriesPerMetric: 0 })[0]).toBe('pipeline.maxSeriesPerMetric');
    expect(wrong({ fitTimeoutMs: 'soon' })).toEqual([
      'pipeline.fitTimeoutMs',
      expect.stringContaining('pipeline.fitTimeoutMs: expected number'),
    ]);
    expect(wrong({ maxQueuedFit: 5 })[1]).toContain("unknown field 'maxQueuedFit'");
  });

  it('exports evictions, refusals, quarantines, timeouts and the fit queue on /metrics', async () => {
    const stats = {
      series: 10,
      quarantinedSeries: 1,
      queuedFits: 4,
      runningFits: 1,
      points: 100,
      scored: 80,
      dropped: 7,
      future: 2,
      overLimit: 3,
      evictedIdle: 5,
      evictedLru: 6,
      fits: 9,
      fitFailures: 3,
      fitTimeouts: 2,
      quarantined: 2,
      events: 0,
    };
    const registry = serviceMetrics({
      pipeline: () => stats,
      openIncidents: () => 0,
      ingest: () => ({
        requests: 1,
        accepted: 1,
        rejected: 0,
        overCardinality: 0,
        future: 0,
        series: 1,
        unstored: 0,
      }),
      httpByStatus: () => ({ 429: 2 }),
      grpcByCode: () => ({}),
      stateBytes: () => 0,
      alertmanager: () => undefined,
    });
    const text = await registry.metrics();
    for (const line of [
      'vigil_series_evicted_total{reason="idle"} 5',
      'vigil_series_evicted_total{reason="capacity"} 6',
      'vigil_points_total{outcome="future"} 2',
      'vigil_points_total{outcome="over_limit"} 3',
      'vigil_quarantines_total 2',
      'vigil_series_quarantined 1',
      'vigil_fits_total{result="timeout"} 2',
      'vigil_fits_total{result="failed"} 1',
      'vigil_fits_queued 4',
      'vigil_otlp_requests_total{transport="http",status="429"} 2',
    ]) {
      expect(text).toContain(line);
    }
  });
});
