import { describe, expect, it } from 'vitest';
import type { Detector, DetectorSnapshot } from '../../src/detector/detector.js';
import { loadDetector, registerDetector, registeredKinds } from '../../src/detector/registry.js';
import { StreamGuard } from '../../src/detector/stream-guard.js';

class ConstantDetector implements Detector {
  readonly kind = 'test-constant';
  readonly threshold = 0.999;
  readonly fitted = true;
  constructor(readonly level: number) {}
  async fit() {}
  async score(data: { values: ArrayLike<number> }) {
    const n = data.values.length;
    return { score: new Float64Array(n).fill(this.level), isAnomaly: new Uint8Array(n) };
  }
  toJSON(): DetectorSnapshot {
    return { kind: this.kind, version: 2, options: {}, state: { level: this.level } };
  }
}

describe('detector registry', () => {
  registerDetector(
    'test-constant',
    (s) => new ConstantDetector((s.state as { level: number }).level * (s.version === 1 ? 2 : 1)),
    2,
  );

  it('restores registered kinds, reading older versions too', async () => {
    const d = loadDetector<ConstantDetector>({
      kind: 'test-constant',
      version: 2,
      options: {},
      state: { level: 0.25 },
    });
    expect(d.level).toBe(0.25);
    const old = loadDetector<ConstantDetector>({
      kind: 'test-constant',
      version: 1,
      options: {},
      state: { level: 0.25 },
    });
    expect(old.level).toBe(0.5);
    expect(registeredKinds()).toContain('test-constant');
  });

  it('rejects unknown kinds, newer versions and non-snapshots with typed errors', () => {
    expect(() => loadDetector({ kind: 'nope', version: 1, options: {}, state: {} })).toThrowError(
      expect.objectContaining({ code: 'UNKNOWN_KIND', message: expect.stringContaining('@vigil/detectors') }),
    );
    expect(() => loadDetector({ kind: 'test-constant', version: 3, options: {}, state: {} })).toThrowError(
      expect.objectContaining({
        code: 'SNAPSHOT_VERSION',
        message: expect.stringContaining('versions 1 to 2'),
      }),
    );
    expect(() => loadDetector({ kind: 'test-constant', version: 0, options: {}, state: {} })).toThrowError(
      expect.objectContaining({ code: 'SNAPSHOT_VERSION' }),
    );
    expect(() => loadDetector('{"kind":"x"}')).toThrowError(
      expect.objectContaining({ code: 'INVALID_SNAPSHOT' }),
    );
    expect(() => loadDetector(null)).toThrowError(expect.objectContaining({ code: 'INVALID_SNAPSHOT' }));
    expect(() => registerDetector('', () => new ConstantDetector(0))).toThrowError(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
  });
});

describe('StreamGuard', () => {
  it('drops out-of-order and non-finite points, admits and counts repeated timestamps, never throws', () => {
    const g = new StreamGuard('test');
    expect(g.admit(1000, 1)).toBe('ok');
    expect(g.admit(1000, 2)).toBe('ok');
    expect(g.admit(500, 2)).toBe('dropped');
    expect(g.admit(999, 2)).toBe('dropped');
    expect(g.admit(Number.NaN, 2)).toBe('dropped');
    expect(g.admit(2000, Number.NaN)).toBe('missing');
    expect(g.admit(3000, Number.POSITIVE_INFINITY)).toBe('dropped');
    expect(g.admit(3000, [1, Number.NaN])).toBe('missing');
    expect(g.admit(4000, [1, 2])).toBe('ok');
    expect(g.admit(5000, 'x' as never)).toBe('dropped');
    expect(g.counters).toEqual({ scored: 3, missing: 2, dropped: 5, repeated: 1 });
    expect(g.lastTimestamp).toBe(4000);
  });
});
