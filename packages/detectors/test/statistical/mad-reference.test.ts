import { createRng, seriesFromStep } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import { MAD_TO_SIGMA, MadDetector } from '../../src/statistical/mad.js';
import { type ResolvedRollingOptions, RollingDetector } from '../../src/statistical/rolling-detector.js';
import { RollingWindow } from '../../src/statistical/rolling-window.js';
import { medianInPlace } from '../../src/statistical/select.js';

/**
 * The MAD detector as it was before its window was kept sorted: each point copies the window and runs two
 * quickselects (median, then median of the absolute deviations). The sorted window must give the same scores.
 */
class QuickselectMad extends RollingDetector<RollingWindow> {
  readonly kind = 'mad';
  readonly #scratch: Float64Array;
  constructor(options: ResolvedRollingOptions | { window: number }) {
    super(options);
    this.#scratch = new Float64Array(this.options.window);
  }
  protected newWindow(values: ArrayLike<number>): RollingWindow {
    return new RollingWindow(this.options.window, values);
  }
  protected locationScale(window: RollingWindow, out: Float64Array): void {
    const v = this.#scratch;
    const n = window.copyTo(v);
    const median = medianInPlace(v, n);
    let meanAbs = 0;
    for (let i = 0; i < n; i++) {
      v[i] = Math.abs(v[i] - median);
      meanAbs += v[i];
    }
    meanAbs /= n;
    let scale = MAD_TO_SIGMA * medianInPlace(v, n);
    if (scale === 0) scale = Math.sqrt(Math.PI / 2) * meanAbs;
    out[0] = median;
    out[1] = scale;
  }
}

// Seeded series of the shapes that matter: noise, a wave, integers with ties, a sparse series whose windows are
// mostly zeros (MAD 0: the mean-absolute-deviation fallback), a flat series with rare steps, and missing values.
function shapes(n: number) {
  const rng = createRng(11);
  const make = (f: (i: number) => number) =>
    seriesFromStep(
      Date.UTC(2026, 0, 1),
      60_000,
      Float64Array.from({ length: n }, (_, i) => f(i)),
    );
  return {
    noise: make(() => rng.normal()),
    wave: make((i) => 100 + 5 * Math.sin(i / 20) + rng.normal()),
    ties: make(() => Math.floor(rng.next() * 4)),
    sparse: make(() => (rng.next() < 0.1 ? rng.next() * 10 : 0)),
    steps: make((i) => (i % 97 === 0 ? 5 : 3)),
    missing: make((i) => (i % 13 === 0 ? Number.NaN : rng.normal())),
  };
}

describe('mad on a sorted window', () => {
  it.each([7, 48, 60])('scores exactly as the quickselect implementation (window %i)', async (window) => {
    for (const [name, s] of Object.entries(shapes(2500))) {
      const train = { timestamps: s.timestamps.subarray(0, 1000), values: s.values.subarray(0, 1000) };
      const fast = new MadDetector({ window });
      const slow = new QuickselectMad({ window });
      await fast.fit(train);
      await slow.fit(train);
      expect(fast.toJSON(), name).toEqual(slow.toJSON());
      const test = { timestamps: s.timestamps.subarray(1000), values: s.values.subarray(1000) };
      const [a, b] = [await fast.score(test), await slow.score(test)];
      expect(a, name).toEqual(b);
      for (let i = 0; i < test.values.length; i++) {
        const p = fast.update(test.timestamps[i], test.values[i]);
        const q = slow.update(test.timestamps[i], test.values[i]);
        expect(p, `${name} point ${i}`).toEqual(q);
      }
    }
  });
});
