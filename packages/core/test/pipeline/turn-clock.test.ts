import { describe, expect, it } from 'vitest';
import { TurnClock } from '../../src/pipeline/turn-clock.js';

describe('TurnClock', () => {
  it('reads the wall clock once per turn of the event loop', async () => {
    const clock = new TurnClock();
    const first = clock.now();
    // Spin until Date.now moves on: the clock keeps this turn's reading.
    while (Date.now() === first) {}
    expect(clock.now()).toBe(first);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const next = clock.now();
    expect(next).toBeGreaterThan(first);
    expect(Math.abs(next - Date.now())).toBeLessThanOrEqual(1);
  });
});
