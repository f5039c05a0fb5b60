import type { AnomalyEvent } from '../../src/alerting/alert-policy.js';
import { createRng } from '../../src/math/random.js';

export const MIN = 60_000;

/** A series with a level shift of `shift` (in noise s.d.) starting at minute `onset`, for `minutes` minutes. */
export function shifted(seed: number, base: number, sd: number, onset: number, shift: number, minutes = 300) {
  const rng = createRng(seed);
  const timestamps = new Float64Array(minutes);
  const values = new Float64Array(minutes);
  for (let i = 0; i < minutes; i++) {
    timestamps[i] = i * MIN;
    values[i] = base + sd * rng.normal() + (i >= onset && i < onset + 40 ? shift * sd : 0);
  }
  return { timestamps, values };
}

/** An event as a detector would report it: flagged `delay` minutes after the true onset. */
export function event(
  seriesKey: string,
  startMinute: number,
  endMinute: number,
  peakScore = 0.9999,
): AnomalyEvent {
  return {
    seriesKey,
    start: startMinute * MIN,
    end: endMinute * MIN,
    points: endMinute - startMinute + 1,
    peakScore,
    peakTime: startMinute * MIN,
    severity: 'warning',
    observed: Number.NaN,
    expected: Number.NaN,
  };
}
