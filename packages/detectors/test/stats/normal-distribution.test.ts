import { describe, expect, it } from 'vitest';
import { normalCdf, normalQuantile } from '../../src/stats/normal-distribution.js';

describe('normalCdf', () => {
  it('matches tabulated Φ values to 1e-7', () => {
    // Abramowitz & Stegun, Table 26.1.
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1)).toBeCloseTo(0.8413447461, 7);
    expect(normalCdf(-1)).toBeCloseTo(0.1586552539, 7);
    expect(normalCdf(1.959963985)).toBeCloseTo(0.975, 7);
    expect(normalCdf(-3)).toBeCloseTo(0.001349898, 8);
  });
  it('propagates NaN', () => {
    expect(normalCdf(Number.NaN)).toBeNaN();
  });
});

describe('normalQuantile', () => {
  it('matches tabulated quantiles to 1e-8', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 8);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306, 8);
    expect(normalQuantile(0.9999)).toBeCloseTo(3.719016485, 7);
  });
  it('is the inverse of normalCdf', () => {
    for (const p of [0.01, 0.1, 0.3, 0.7, 0.95]) expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 7);
  });
  it('maps the ends to ±Infinity and the outside to NaN', () => {
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
    expect(normalQuantile(1.5)).toBeNaN();
  });
});

describe('normalQuantile (the values Prophet intervals use)', () => {
  it('matches reference values of the standard normal quantile to 1e-8', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 12);
    expect(normalQuantile(0.9)).toBeCloseTo(1.2815515655446004, 8);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 8);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306167813, 7);
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
  });
});
