import { afterEach, describe, expect, it, vi } from 'vitest';
import { activeTickers, onEveryInterval } from '../../src/probes/ticker.js';

afterEach(() => vi.useRealTimers());

describe('onEveryInterval', () => {
  it('runs every callback of an interval from one timer, and stops the timer with its last callback', () => {
    vi.useFakeTimers();
    const before = activeTickers();
    const calls: string[] = [];
    const stopA = onEveryInterval(1000, () => calls.push('a'));
    const stopB = onEveryInterval(1000, () => calls.push('b'));
    const stopC = onEveryInterval(250, () => calls.push('c'));
    expect(activeTickers()).toBe(before + 2);
    vi.advanceTimersByTime(1000);
    expect(calls.filter((c) => c === 'c')).toHaveLength(4);
    expect(calls.filter((c) => c !== 'c')).toEqual(['a', 'b']);
    stopA();
    expect(activeTickers()).toBe(before + 2);
    vi.advanceTimersByTime(1000);
    expect(calls.filter((c) => c !== 'c')).toEqual(['a', 'b', 'b']);
    stopB();
    stopB(); // twice is harmless
    stopC();
    expect(activeTickers()).toBe(before);
    vi.advanceTimersByTime(5000);
    expect(calls.filter((c) => c !== 'c')).toEqual(['a', 'b', 'b']);
  });

  it('keeps calling the others when one callback throws, and rethrows its error outside the timer', () => {
    vi.useFakeTimers();
    const calls: string[] = [];
    const stopBad = onEveryInterval(500, () => {
      throw new Error('snapshot failed');
    });
    const stopGood = onEveryInterval(500, () => calls.push('ok'));
    const thrown: unknown[] = [];
    const nextTick = vi.spyOn(process, 'nextTick').mockImplementation(((fn: () => void) => {
      try {
        fn();
      } catch (e) {
        thrown.push(e);
      }
    }) as typeof process.nextTick);
    try {
      vi.advanceTimersByTime(500);
    } finally {
      nextTick.mockRestore();
      stopBad();
      stopGood();
    }
    expect(calls).toEqual(['ok']);
    expect(thrown).toEqual([new Error('snapshot failed')]);
  });
});
