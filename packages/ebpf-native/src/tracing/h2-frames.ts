/**
 * One direction of an HTTP/2 connection as frames (RFC 9113 §4.1), from captured transfers: the 9-byte
 * frame headers and the payloads of HEADERS and CONTINUATION frames must have been copied (heads and
 * tails of transfers usually hold them: header blocks are small and come first or last in a write);
 * other payloads (DATA above all) are skipped by counting.
 */
import type { Capture } from './capture.js';

/** Frame types this package reads (RFC 9113 §6). */
export const H2 = { DATA: 0, HEADERS: 1, RST_STREAM: 3, SETTINGS: 4, GOAWAY: 7, CONTINUATION: 9 } as const;
/** Frame flags (RFC 9113 §6). */
export const H2_FLAGS = { END_STREAM: 0x1, END_HEADERS: 0x4, PADDED: 0x8, PRIORITY: 0x20 } as const;

/** The client connection preface (RFC 9113 §3.4). */
export const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

/** A frame, its payload when this direction keeps it (header blocks), and when it was transferred. */
export interface H2Frame {
  type: number;
  flags: number;
  streamId: number;
  length: number;
  /**
   * HEADERS and CONTINUATION: the payload, a view of the captured bytes valid during the
   * `onFrame` callback only (copy what you keep); other types: undefined (skipped).
   */
  payload?: Buffer;
  /** Start of the transfer that carried the frame header. */
  startNs: number;
  /** End of the transfer that carried the frame's last byte. */
  endNs: number;
}

type Mode = 'preface' | 'header' | 'payload' | 'lost';
/** Largest header block fragment carried over between transfers. */
const MAX_CARRY = 64 * 1024;

/** Frames of one direction of an HTTP/2 connection. */
export class H2FrameStream {
  readonly #onFrame: (frame: H2Frame) => void;
  #mode: Mode;
  #carry: Buffer | undefined;
  #carryStartNs = 0;
  #frame: H2Frame | undefined;
  #remaining = 0;
  #lost = false;

  /** @param preface whether this is the client's direction, which starts with the connection preface */
  constructor(preface: boolean, onFrame: (frame: H2Frame) => void) {
    this.#mode = preface ? 'preface' : 'header';
    this.#onFrame = onFrame;
  }

  /** Whether a frame boundary was lost: nothing after it can be trusted (HPACK state included). */
  get lost(): boolean {
    return this.#lost;
  }

  feed(capture: Capture, startNs: number, endNs: number): void {
    let pos = 0;
    const length = capture.length;
    while (pos < length && this.#mode !== 'lost') {
      const frame = this.#frame;
      if (this.#mode === 'payload' && frame && !this.#keeps(frame.type)) {
        const n = Math.min(this.#remaining, length - pos);
        pos += n;
        this.#remaining -= n;
        if (this.#remaining === 0) this.#emit(endNs);
        continue;
      }
      const want =
        this.#mode === 'preface' ? H2_PREFACE.length : this.#mode === 'header' ? 9 : this.#remaining;
      const window = capture.from(pos);
      if (!window) {
        this.#lose();
        return;
      }
      const carried = this.#carry?.length ?? 0;
      const text = this.#carry ? Buffer.concat([this.#carry, window]) : window;
      const textStartNs = carried > 0 ? this.#carryStartNs : startNs;
      if (text.length < want) {
        if (capture.copiedToEnd(pos) && text.length <= MAX_CARRY) {
          this.#carry = Buffer.from(text);
          this.#carryStartNs = textStartNs;
          return;
        }
        this.#lose();
        return;
      }
      this.#carry = undefined;
      pos += want - carried;
      const bytes = text.subarray(0, want);
      if (this.#mode === 'preface') {
        if (!bytes.equals(H2_PREFACE)) {
          this.#lose();
          return;
        }
        this.#mode = 'header';
      } else if (this.#mode === 'header') {
        this.#frame = {
          length: bytes.readUIntBE(0, 3),
          type: bytes[3],
          flags: bytes[4],
          streamId: bytes.readUInt32BE(5) & 0x7fffffff,
          startNs: textStartNs,
          endNs,
        };
        this.#remaining = this.#frame.length;
        this.#mode = 'payload';
        if (this.#remaining === 0) this.#emit(endNs);
      } else if (frame) {
        frame.payload = bytes;
        this.#remaining = 0;
        this.#emit(endNs);
      }
    }
  }

  #keeps(type: number): boolean {
    return type === H2.HEADERS || type === H2.CONTINUATION;
  }

  #emit(endNs: number): void {
    const frame = this.#frame;
    this.#mode = 'header';
    if (!frame) return;
    frame.endNs = endNs;
    this.#onFrame(frame);
  }

  #lose(): void {
    this.#mode = 'lost';
    this.#lost = true;
    this.#carry = undefined;
  }
}

/** A complete header block: its HEADERS frame (with the end time of its last fragment) and its bytes. */
export interface HeaderBlock {
  frame: H2Frame;
  block: Buffer;
}

/**
 * Joins one direction's HEADERS and CONTINUATION frames into header blocks (RFC 9113 §4.3), without the
 * HEADERS frame's padding and priority fields.
 */
export class HeaderBlockAssembler {
  #pending: { frame: H2Frame; parts: Buffer[] } | undefined;

  /** The block `frame` completes, if it does; other frame types return undefined. */
  push(frame: H2Frame): HeaderBlock | undefined {
    if (frame.type === H2.HEADERS && frame.payload) {
      const payload = frame.payload;
      const padded = (frame.flags & H2_FLAGS.PADDED) !== 0;
      const at = (padded ? 1 : 0) + (frame.flags & H2_FLAGS.PRIORITY ? 5 : 0);
      const block = payload.subarray(at, payload.length - (padded ? payload[0] : 0));
      if (frame.flags & H2_FLAGS.END_HEADERS) return { frame, block };
      this.#pending = { frame, parts: [Buffer.from(block)] };
      return undefined;
    }
    if (frame.type === H2.CONTINUATION && frame.payload && this.#pending) {
      const pending = this.#pending;
      pending.parts.push(Buffer.from(frame.payload));
      if (!(frame.flags & H2_FLAGS.END_HEADERS)) return undefined;
      this.#pending = undefined;
      // The stream ends (END_STREAM on the HEADERS frame) once its last block fragment has arrived.
      return { frame: { ...pending.frame, endNs: frame.endNs }, block: Buffer.concat(pending.parts) };
    }
    return undefined;
  }
}
