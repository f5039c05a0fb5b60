/**
 * `Date.now()` read once per turn of the event loop: the first read in a turn calls it and queues a microtask that
 * forgets the value, so every later read in the same synchronous run gets the same number. A clock call costs about
 * as much as the rest of a Pipeline's per-point bookkeeping, and a burst of points (an OTLP request, a replay) needs
 * one wall time, not one per point. The value is behind the true wall clock by at most the length of the current
 * synchronous run.
 *
 * @example
 * const clock = new TurnClock();
 * clock.now() === clock.now(); // true within one turn
 */
export class TurnClock {
  #value = 0;
  #valid = false;
  readonly #forget = () => {
    this.#valid = false;
  };

  /** The wall time of this turn, ms since the epoch. */
  now(): number {
    if (this.#valid) return this.#value;
    this.#value = Date.now();
    this.#valid = true;
    queueMicrotask(this.#forget);
    return this.#value;
  }
}
