import { describe, expect, it } from 'vitest';
import { firstCrossing, horizonGrid } from '../../src/maintenance/forecast-crossing.js';

describe('horizonGrid', () => {
  it('steps at the data spacing up to the horizon', () => {
    expect(Array.from(horizonGrid(100, 10, 35))).toEqual([110, 120, 130, 135]);
  });
  it('coarsens to at most maxPoints', () => {
    const grid = horizonGrid(0, 1, 1000, 10);
    expect(grid.length).toBe(10);
    expect(grid[9]).toBe(1000);
  });
});

describe('firstCrossing', () => {
  it('interpolates between grid points', () => {
    expect(firstCrossing(0, 0, Float64Array.of(10, 20), Float64Array.of(5, 15), 10)).toBe(15);
  });
  it('returns the start when already at the level and null when never reached', () => {
    expect(firstCrossing(0, 12, Float64Array.of(10), Float64Array.of(5), 10)).toBe(0);
    expect(firstCrossing(0, 0, Float64Array.of(10, 20), Float64Array.of(5, 9), 10)).toBeNull();
  });
});
