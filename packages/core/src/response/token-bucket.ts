/**
 * A token bucket (the rate limiter of network traffic shaping, Turner 1986): holds at most `burst` tokens, gains
 * `perMinute` tokens a minute, and each action takes one. Time is passed in, so replays and tests control it.
 *
 * @example
 * const b = new TokenBucket(2, 6); // 2 at once, then one every 10 s
 * b.take(0); b.take(0); b.take(0); // true, true, false
 * b.take(10_000); // true
 */
export class TokenBucket {
  readonly burst: number;
  readonly perMinute: number;
  #tokens: number;
  #last = Number.NEGATIVE_INFINITY;

  constructor(burst: number, perMinute: number) {
    this.burst = burst;
    this.perMinute = perMinute;
    this.#tokens = burst;
  }

  /** Takes a token at time `now` (ms) if there is one. */
  take(now: number): boolean {
    if (this.#last !== Number.NEGATIVE_INFINITY && now > this.#last) {
      this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#last) * this.perMinute) / 60_000);
    }
    this.#last = Math.max(this.#last, now);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Gives a token back (an action that did not happen). */
  refund(): void {
    this.#tokens = Math.min(this.burst, this.#tokens + 1);
  }
}
