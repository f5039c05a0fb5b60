import type { PointScore, Scores } from '@vigil/core';

/**
 * Batch scores from a streaming step: calls `step(i)` for i = 0 … n − 1 and lays the point scores out as typed
 * arrays (absent expectations, bands and raw statistics become NaN).
 *
 * @example
 * const scores = collectScores(s.values.length, (i) => copy.update(s.timestamps[i], s.values[i]));
 */
export function collectScores(n: number, step: (i: number) => PointScore): Required<Scores> {
  const out = {
    score: new Float64Array(n),
    isAnomaly: new Uint8Array(n),
    expected: new Float64Array(n),
    lower: new Float64Array(n),
    upper: new Float64Array(n),
    raw: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const p = step(i);
    out.score[i] = p.score;
    out.isAnomaly[i] = p.isAnomaly ? 1 : 0;
    out.expected[i] = p.expected ?? Number.NaN;
    out.lower[i] = p.lower ?? Number.NaN;
    out.upper[i] = p.upper ?? Number.NaN;
    out.raw[i] = p.raw ?? Number.NaN;
  }
  return out;
}
