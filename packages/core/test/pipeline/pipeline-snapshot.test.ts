import { describe, expect, it } from 'vitest';
import { registerDetector } from '../../src/detector/registry.js';
import { VigilError } from '../../src/errors.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import type { PipelineSnapshot } from '../../src/pipeline/pipeline-snapshot.js';
import { MeanDeviationDetector } from './test-detector.js';

registerDetector('test-mean-deviation', (s) => MeanDeviationDetector.fromJSON(s), 1);

const make = () => new Pipeline({ createDetector: () => new MeanDeviationDetector(), warmup: 20 });
const value = (i: number) => 10 + Math.sin(i / 3) + (i % 7) / 10;

describe('Pipeline snapshot and restore', () => {
  it('a restored pipeline scores the next points exactly as the one that took the snapshot', async () => {
    const a = make();
    for (let i = 0; i < 30; i++) a.push('svc/cpu', i * 1000, value(i));
    for (let i = 0; i < 5; i++) a.push('svc/warming', i * 1000, value(i));
    await a.idle();
    const snapshot = JSON.parse(JSON.stringify(a.snapshot())) as PipelineSnapshot;
    expect(snapshot.series.map((s) => [s.key, s.detector?.kind ?? null])).toEqual([
      ['svc/cpu', 'test-mean-deviation'],
      ['svc/warming', null],
    ]);
    const b = make();
    expect(b.restore(snapshot)).toBe(1);
    for (let i = 30; i < 40; i++) {
      const v = i === 35 ? 25 : value(i);
      expect(b.push('svc/cpu', i * 1000, v)).toEqual(a.push('svc/cpu', i * 1000, v));
    }
    // Points at or before the saved last time stay out of order after the restore.
    expect(b.push('svc/cpu', 10_000, 1)).toBeUndefined();
    expect(b.stats.dropped).toBe(1);
    // The warming series keeps its history: 15 more points complete its warm-up and fit it.
    for (let i = 5; i < 20; i++) b.push('svc/warming', i * 1000, value(i));
    await b.idle();
    expect(b.push('svc/warming', 20_000, value(20))?.status).toBe('scored');
  });

  it('rejects what is not a pipeline snapshot, and a newer version', () => {
    expect(() => make().restore({} as never)).toThrow(expect.objectContaining({ code: 'INVALID_SNAPSHOT' }));
    const newer = { version: 2, takenAt: 0, series: [] } as unknown as PipelineSnapshot;
    expect(() => make().restore(newer)).toThrow(VigilError);
    expect(() => make().restore(newer)).toThrow(expect.objectContaining({ code: 'SNAPSHOT_VERSION' }));
  });
});
