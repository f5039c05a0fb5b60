import { createRng } from '@vigil/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitMap, negativeLogPosterior } from '../../src/prophet/fit.js';
import type { MapData, MapParams } from '../../src/prophet/map-types.js';
import type { Growth } from '../../src/prophet/trend.js';

function problem(growth: Growth, multiplicative: boolean, n: number, seed: number): MapData {
  const rng = createRng(seed);
  const t = Float64Array.from({ length: n }, (_, i) => i / (n - 1));
  const k = 4;
  const x = new Float64Array(n * k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) x[i * k + j] = Math.sin((j + 1) * 20 * t[i] + j);
  const y = Float64Array.from(t, (ti, i) => {
    const trend = 0.3 + 0.4 * ti + (ti > 0.5 ? -0.3 * (ti - 0.5) : 0);
    return trend + 0.05 * x[i * k] * (multiplicative ? trend : 1) + 0.02 * rng.normal();
  });
  return {
    growth,
    t,
    y,
    cap: new Float64Array(n).fill(1.5),
    tChange: Float64Array.from({ length: 10 }, (_, j) => (0.8 * (j + 1)) / 10),
    tau: 0.05,
    x,
    sigmas: new Float64Array(k).fill(10),
    multiplicative: Uint8Array.from(multiplicative ? [1, 0, 1, 0] : [0, 0, 0, 0]),
  };
}

function objective(data: MapData, p: MapParams): number {
  const v = Float64Array.from([p.k, p.m, ...p.delta, Math.log(p.sigmaObs), ...p.beta]);
  let penalty = 0;
  for (const d of p.delta) penalty += Math.abs(d) / data.tau;
  return negativeLogPosterior(data)(v, new Float64Array(v.length)) + penalty;
}

describe('negativeLogPosterior', () => {
  it('has an analytic gradient that matches central differences for every trend and mode', () => {
    for (const growth of ['linear', 'logistic', 'flat'] as const) {
      for (const mult of [false, true]) {
        const data = problem(growth, mult, 300, 3);
        const f = negativeLogPosterior(data);
        const rng = createRng(11);
        const p = 3 + 10 + 4;
        const v = Float64Array.from({ length: p }, () => 0.2 * rng.normal());
        v[0] = 1.1;
        v[1] = 0.2;
        const g = new Float64Array(p);
        f(v, g);
        for (let j = 0; j < p; j++) {
          const a = Float64Array.from(v);
          const b = Float64Array.from(v);
          a[j] += 1e-6;
          b[j] -= 1e-6;
          const numeric = (f(a, new Float64Array(p)) - f(b, new Float64Array(p))) / 2e-6;
          expect(Math.abs(numeric - g[j])).toBeLessThan(1e-5 * Math.max(1, Math.abs(g[j])));
        }
      }
    }
  });
});

describe('fitMap', () => {
  it('agrees across the exact, Gauss–Newton and OWL-QN solvers on the linear additive model', () => {
    const data = problem('linear', false, 800, 5);
    const exact = fitMap(data);
    const gn = fitMap(data, 'gauss-newton');
    const owl = fitMap(data, 'owlqn');
    expect(exact.info.solver).toBe('gram-exact');
    const best = objective(data, exact.params);
    expect(objective(data, gn.params)).toBeCloseTo(best, 8);
    // OWL-QN stops on a relative tolerance (Stan's defaults), so it is allowed to stop slightly higher.
    expect(objective(data, owl.params)).toBeGreaterThanOrEqual(best - 1e-9);
    expect(objective(data, owl.params) - best).toBeLessThan(0.05);
    for (let j = 0; j < 4; j++) expect(gn.params.beta[j]).toBeCloseTo(exact.params.beta[j], 6);
    expect(gn.params.sigmaObs).toBeCloseTo(exact.params.sigmaObs, 9);
  });

  it('Gauss–Newton never ends above OWL-QN on logistic and multiplicative models', () => {
    for (const [growth, mult] of [
      ['logistic', false],
      ['logistic', true],
      ['linear', true],
      ['flat', true],
    ] as const) {
      const data = problem(growth, mult, 600, 7);
      const gn = fitMap(data);
      expect(gn.info.solver).toBe('gauss-newton');
      expect(gn.info.converged).toBe(true);
      expect(objective(data, gn.params)).toBeLessThanOrEqual(
        objective(data, fitMap(data, 'owlqn').params) + 1e-9,
      );
    }
  });

  it('is deterministic: the same data give bit-identical parameters', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.boolean(), (seed, mult) => {
        const a = fitMap(problem('linear', mult, 200, seed));
        const b = fitMap(problem('linear', mult, 200, seed));
        expect(b.params).toEqual(a.params);
      }),
      { numRuns: 10 },
    );
  });
});
