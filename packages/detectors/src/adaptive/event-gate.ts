/**
 * Repeat-alarm suppression: the first point at or above the threshold opens an event and alarms; later such points
 * belong to the same event — and stay silent — until `quietPoints` consecutive points have stayed below the
 * threshold, which closes it.
 *
 * @example
 * const gate = new EventGate(10);
 * gate.admit(true);  // true: a new event
 * gate.admit(true);  // false: the same event goes on
 */
export class EventGate {
  readonly #quietPoints: number;
  /** Points since the last one at or above the threshold (Infinity: no event yet). */
  #sinceAbove: number;

  constructor(quietPoints: number, sinceAbove = Number.POSITIVE_INFINITY) {
    this.#quietPoints = quietPoints;
    this.#sinceAbove = sinceAbove;
  }

  /** Points since the last point at or above the threshold (Infinity before any); part of a snapshot. */
  get sinceAbove(): number {
    return this.#sinceAbove;
  }

  /** Records one scored point; true when it opens a new event (it should alarm). */
  admit(above: boolean): boolean {
    if (!above) {
      this.#sinceAbove++;
      return false;
    }
    const opens = this.#sinceAbove >= this.#quietPoints;
    this.#sinceAbove = 0;
    return opens;
  }
}
