/** A point sink that records what arrives, with the Pipeline's drop rule (strictly increasing time per series). */
export class RecordingSink {
  readonly points = new Map<string, Array<[number, number]>>();
  readonly stats = { dropped: 0 };

  push(key: string, t: number, value: number): void {
    const list = this.points.get(key) ?? [];
    if (list.length > 0 && t <= list[list.length - 1][0]) {
      this.stats.dropped++;
      return;
    }
    list.push([t, value]);
    this.points.set(key, list);
  }

  /** Keys whose text contains `part`. */
  keys(part: string): string[] {
    return [...this.points.keys()].filter((k) => k.includes(part));
  }
}
