/**
 * What the HTTP probe copied of one read or write: its length and the bytes at its head and its tail
 * (struct http_event in bpf/events.h). Bytes in between were transferred but not copied.
 */
export class Capture {
  /** Bytes the syscall transferred. */
  readonly length: number;
  /** Bytes [0, head.length) of the transfer (all of them when `complete`). */
  readonly head: Buffer;
  /** Bytes [length - tail.length, length) of the transfer; empty when `complete`. */
  readonly tail: Buffer;

  constructor(length: number, head: Buffer, tail: Buffer = Buffer.alloc(0)) {
    this.length = length;
    // Head and tail that meet are one window: parsers then never see a seam inside copied bytes.
    const joined = head.length + tail.length >= length && tail.length > 0;
    this.head = joined ? Buffer.concat([head, tail]) : head;
    this.tail = joined ? Buffer.alloc(0) : tail;
  }

  /** Whether every byte of the transfer was copied. */
  get complete(): boolean {
    return this.head.length >= this.length;
  }

  /**
   * The copied bytes from `pos` to the end of the window holding it (the head or the tail), or undefined
   * when `pos` falls in the part that was not copied.
   */
  from(pos: number): Buffer | undefined {
    if (pos < this.head.length) return this.head.subarray(pos);
    const tailStart = this.length - this.tail.length;
    if (this.tail.length > 0 && pos >= tailStart && pos < this.length)
      return this.tail.subarray(pos - tailStart);
    return undefined;
  }

  /** Whether the window holding `pos` runs to the end of the transfer. */
  copiedToEnd(pos: number): boolean {
    return this.complete || (this.tail.length > 0 && pos >= this.length - this.tail.length);
  }
}
