import { describe, expect, it } from 'vitest';
import { minimizeOwlqn } from '../../src/prophet/owlqn.js';

describe('minimizeOwlqn', () => {
  it('minimises the Rosenbrock function (no L1) to its minimum at (1, 1)', () => {
    const r = minimizeOwlqn(
      (x, g) => {
        const a = 1 - x[0];
        const b = x[1] - x[0] * x[0];
        g[0] = -2 * a - 400 * x[0] * b;
        g[1] = 200 * b;
        return a * a + 100 * b * b;
      },
      Float64Array.of(-1.2, 1),
    );
    expect(r.converged).toBe(true);
    expect(r.x[0]).toBeCloseTo(1, 5);
    expect(r.x[1]).toBeCloseTo(1, 5);
  });

  it('sets exactly to zero the coordinates the L1 penalty should remove', () => {
    // ½‖x − c‖² + λ‖x‖₁ has the closed form x = sign(c)(|c| − λ)₊.
    const c = Float64Array.of(3, -0.5, 0.2, -2);
    const r = minimizeOwlqn(
      (x, g) => {
        let v = 0;
        for (let j = 0; j < 4; j++) {
          g[j] = x[j] - c[j];
          v += 0.5 * (x[j] - c[j]) ** 2;
        }
        return v;
      },
      new Float64Array(4),
      { l1: new Float64Array(4).fill(1) },
    );
    expect(Array.from(r.x, (v) => Number(v.toFixed(6)))).toEqual([2, 0, 0, -1]);
    expect(r.x[1]).toBe(0);
    expect(r.x[2]).toBe(0);
  });
});
