/**
 * At most `max` events in any window of `windowMs` (a sliding log: the times of the events still inside it).
 *
 * @example
 * const hourly = new SlidingWindowLimit(2, 3_600_000);
 * hourly.tryAdd(0); hourly.tryAdd(1); hourly.tryAdd(2); // true, true, false
 * hourly.tryAdd(3_600_000); // true: the first has left the window
 */
export class SlidingWindowLimit {
  readonly max: number;
  readonly windowMs: number;
  readonly #times: number[] = [];

  constructor(max: number, windowMs: number) {
    this.max = max;
    this.windowMs = windowMs;
  }

  /** Records an event at `now` (ms) unless the window is full. */
  tryAdd(now: number): boolean {
    while (this.#times.length > 0 && this.#times[0] <= now - this.windowMs) this.#times.shift();
    if (this.#times.length >= this.max) return false;
    this.#times.push(now);
    return true;
  }

  /** Forgets the latest event at `time` (an action that did not happen). */
  remove(time: number): void {
    const i = this.#times.lastIndexOf(time);
    if (i >= 0) this.#times.splice(i, 1);
  }

  /** Events inside the window ending at `now`. */
  count(now: number): number {
    return this.#times.filter((t) => t > now - this.windowMs).length;
  }
}
