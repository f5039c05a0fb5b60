import { describe, expect, it } from 'vitest';
import { cycleExtrema } from '../../src/maintenance/cycle-extrema.js';

describe('cycleExtrema', () => {
  it('cuts a sawtooth at its drops and keeps each cycle’s floor and peak', () => {
    const t = Array.from({ length: 12 }, (_, i) => i * 1000);
    const y = [1, 2, 3, 1.1, 2.1, 3.1, 1.2, 2.2, 3.2, 1.3, 2.3, 3.3];
    const { cycles, method } = cycleExtrema(t, y, { minCycles: 2 });
    expect(method).toBe('drops');
    expect(cycles.map((c) => c.min)).toEqual([1, 1.1, 1.2, 1.3]);
    expect(cycles.map((c) => c.max)).toEqual([3, 3.1, 3.2, 3.3]);
    expect(cycles.map((c) => c.tMin)).toEqual([0, 3000, 6000, 9000]);
    expect(cycles.map((c) => c.complete)).toEqual([true, true, true, false]);
  });

  it('falls back to equal-time windows without enough drops', () => {
    const t = Array.from({ length: 100 }, (_, i) => i);
    const y = t.map((v) => v * 2);
    const { cycles, method } = cycleExtrema(t, y, { windows: 4 });
    expect(method).toBe('windows');
    expect(cycles.map((c) => c.min)).toEqual([0, 50, 100, 150]);
    expect(cycles.map((c) => c.max)).toEqual([48, 98, 148, 198]);
  });
});
