/**
 * The clock incidents close on: wall time, pushed forward by data that runs ahead of it. It reads
 * `anchorT + (now() − anchorWall)`, re-anchored whenever a point's timestamp is later than that, so a live stream
 * (timestamps ≈ wall time) follows the wall clock and keeps moving while every series is quiet, and a replay of old
 * data (timestamps far behind, arriving fast) follows the data. One series cannot hold it back, and a point dated
 * ahead moves it at most as far as the pipeline's `maxFuture` lets such a point in.
 *
 * @example
 * const clock = new StreamClock(Date.now);
 * clock.observe(pointTime);
 * grouper.advance(clock.now());
 */
export class StreamClock {
  readonly #wall: () => number;
  #anchorT = Number.NEGATIVE_INFINITY;
  #anchorWall = 0;

  constructor(wall: () => number) {
    this.#wall = wall;
  }

  /** The stream's time now, ms (−Infinity before the first point). */
  now(wall = this.#wall()): number {
    return this.#anchorT + (wall - this.#anchorWall);
  }

  /** Takes a point's timestamp into account; returns the clock's new reading. */
  observe(t: number, wall = this.#wall()): number {
    const c = this.now(wall);
    if (t > c) {
      this.#anchorT = t;
      this.#anchorWall = wall;
      return t;
    }
    return c;
  }
}
