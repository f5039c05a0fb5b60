import { createRng } from '@vigil/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { choleskySolve, solveL1Quadratic } from '../../src/prophet/lasso-gram.js';

function randomProblem(seed: number, p: number) {
  const rng = createRng(seed);
  const n = 3 * p;
  const a = Float64Array.from({ length: n * p }, () => rng.normal());
  // Correlated columns, like changepoint hinges: each column is the running sum of the previous ones.
  for (let i = 0; i < n; i++) for (let j = 1; j < p; j++) a[i * p + j] += 0.9 * a[i * p + j - 1];
  const h = new Float64Array(p * p);
  for (let i = 0; i < n; i++)
    for (let r = 0; r < p; r++) for (let c = 0; c < p; c++) h[r * p + c] += a[i * p + r] * a[i * p + c];
  const b = Float64Array.from({ length: p }, () => 5 * rng.normal());
  const lambda = Float64Array.from({ length: p }, (_, j) => (j < 2 ? 0 : 2 * rng.next()));
  return { h, b, lambda };
}

describe('solveL1Quadratic', () => {
  it('soft-thresholds in one dimension: argmin ½hθ² − bθ + λ|θ| = sign(b)(|b| − λ)₊ / h', () => {
    for (const [h, b, l, want] of [
      [2, 3, 1, 1],
      [2, -3, 1, -1],
      [4, 0.5, 1, 0],
    ]) {
      const theta = new Float64Array(1);
      solveL1Quadratic(Float64Array.of(h), Float64Array.of(b), Float64Array.of(l), theta);
      expect(theta[0]).toBeCloseTo(want, 14);
    }
  });

  it('satisfies the KKT conditions exactly on random correlated problems', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 2, max: 30 }), (seed, p) => {
        const { h, b, lambda } = randomProblem(seed, p);
        const theta = new Float64Array(p);
        const r = solveL1Quadratic(h, b, lambda, theta);
        expect(r.exact).toBe(true);
        for (let j = 0; j < p; j++) {
          let g = -b[j];
          for (let c = 0; c < p; c++) g += h[j * p + c] * theta[c];
          if (theta[j] !== 0) expect(Math.abs(g + lambda[j] * Math.sign(theta[j]))).toBeLessThan(1e-7);
          else expect(Math.abs(g)).toBeLessThanOrEqual(lambda[j] + 1e-7);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('solves a symmetric positive-definite system by Cholesky and refuses an indefinite one', () => {
    const a = Float64Array.of(4, 2, 2, 3);
    const rhs = Float64Array.of(2, 1);
    expect(choleskySolve(a, rhs, 2)).toBe(true);
    expect(rhs[0]).toBeCloseTo(0.5, 14);
    expect(rhs[1]).toBeCloseTo(0, 14);
    expect(choleskySolve(Float64Array.of(1, 2, 2, 1), Float64Array.of(1, 1), 2)).toBe(false);
  });
});
