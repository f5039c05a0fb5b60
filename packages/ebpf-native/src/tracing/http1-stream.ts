/**
 * One direction of an HTTP/1.x connection, parsed from captured transfers (RFC 9112): message heads are
 * read from the copied bytes, bodies are skipped by counting (Content-Length, chunk sizes), so only the
 * bytes where a head or a chunk-size line starts need to have been copied. When a needed byte was not
 * copied the stream loses sync and waits for a transfer that starts like a message.
 */
import type { Capture } from './capture.js';

/** A parsed request line or status line, with what the stream needs to find the message's end. */
export interface Http1Head {
  /** Request: the method as sent; response: undefined. */
  method?: string;
  /** Request: the request target (path and query) as sent. */
  target?: string;
  /** Response: the status code. */
  status?: number;
  /** `1.0` or `1.1`. */
  version: string;
  /** The headers were cut off by the capture, so the body's length is unknown. */
  truncated: boolean;
}

/** Receives the messages of a stream. */
export interface Http1StreamListener {
  /** A message's head was read in the transfer that started at `startNs`. */
  head(head: Http1Head, startNs: bigint): void;
  /** The message whose head came last ended in the transfer that ended at `endNs` (or at close). */
  complete(endNs: bigint): void;
}

type Mode = 'start' | 'body' | 'chunk-size' | 'chunk-data' | 'trailer' | 'until-close' | 'lost' | 'upgraded';
type Parsed = number | 'more' | 'lost';

const CRLF = Buffer.from('\r\n');
const CRLFCRLF = Buffer.from('\r\n\r\n');
/** Longest head (or partial line) carried over to the next transfer; larger heads lose sync. */
const MAX_CARRY = 16 * 1024;
const REQUEST_LINE = /^([A-Z][A-Z0-9_-]{0,19}) (\S+) HTTP\/1\.([01])$/;
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/;
const METHOD_PREFIX = /^[A-Z][A-Z0-9_-]{0,19} /;

/** Whether `bytes` could begin a request (`kind` request) or a response. */
export function looksLikeMessageStart(bytes: Buffer | undefined, kind: 'request' | 'response'): boolean {
  if (!bytes || bytes.length < 5) return false;
  const text = bytes.toString('latin1', 0, Math.min(bytes.length, 24));
  return kind === 'request' ? METHOD_PREFIX.test(text) && text !== 'PRI * ' : text.startsWith('HTTP/1.');
}

/** One direction of an HTTP/1.x connection. */
export class Http1Stream {
  readonly #kind: 'request' | 'response';
  readonly #listener: Http1StreamListener;
  readonly #requestMethod: () => string | undefined;
  #mode: Mode = 'start';
  #remaining = 0;
  #carry: Buffer | undefined;
  /** When the carried bytes were transferred: a message starts with its first byte. */
  #carryStartNs = 0n;
  /** A message has begun and not ended. */
  #open = false;
  #lostSync = 0;

  /**
   * @param kind whether this direction carries requests or responses
   * @param requestMethod for responses: the method of the request being answered (HEAD has no body)
   */
  constructor(
    kind: 'request' | 'response',
    listener: Http1StreamListener,
    requestMethod: () => string | undefined = () => undefined,
  ) {
    this.#kind = kind;
    this.#listener = listener;
    this.#requestMethod = requestMethod;
  }

  /** Times the stream lost sync (a needed byte was not copied, or bytes that are not HTTP/1.x). */
  get lostSync(): number {
    return this.#lostSync;
  }

  /** The rest of the connection speaks another protocol (after 101 Switching Protocols). */
  get upgraded(): boolean {
    return this.#mode === 'upgraded';
  }

  /** Parses one transfer of this direction. */
  feed(capture: Capture, startNs: bigint, endNs: bigint): void {
    let pos = 0;
    const length = capture.length;
    while (pos < length) {
      switch (this.#mode) {
        case 'body':
        case 'chunk-data': {
          const n = Math.min(this.#remaining, length - pos);
          pos += n;
          this.#remaining -= n;
          if (this.#remaining === 0) {
            if (this.#mode === 'body') this.#end(endNs);
            else this.#mode = 'chunk-size';
          }
          break;
        }
        case 'until-close':
        case 'upgraded':
          pos = length;
          break;
        case 'lost':
          if (pos === 0 && looksLikeMessageStart(capture.from(0), this.#kind)) this.#mode = 'start';
          else pos = length;
          break;
        default: {
          const window = capture.from(pos);
          if (!window) {
            this.#lose(endNs);
            pos = length;
            break;
          }
          const carried = this.#carry?.length ?? 0;
          const text = this.#carry ? Buffer.concat([this.#carry, window]) : window;
          this.#carry = undefined;
          const textStartNs = carried > 0 ? this.#carryStartNs : startNs;
          const parsed = this.#parse(text, textStartNs, endNs, capture.copiedToEnd(pos));
          if (parsed === 'more') {
            if (capture.copiedToEnd(pos) && text.length <= MAX_CARRY) {
              this.#carry = Buffer.from(text);
              this.#carryStartNs = textStartNs;
            } else this.#lose(endNs);
            pos = length;
          } else if (parsed === 'lost') {
            this.#lose(endNs);
            pos = length;
          } else {
            pos += Math.max(0, parsed - carried);
          }
        }
      }
    }
  }

  /** The connection closed: a message framed by the close (or cut short) ends now. */
  close(timeNs: bigint): void {
    if (this.#open) this.#end(timeNs);
    this.#mode = 'lost';
  }

  #end(endNs: bigint): void {
    this.#open = false;
    this.#mode = 'start';
    this.#listener.complete(endNs);
  }

  #lose(endNs: bigint): void {
    this.#lostSync++;
    this.#carry = undefined;
    // The message's end is unknown; the end of this transfer is the best estimate.
    if (this.#open) this.#end(endNs);
    this.#mode = 'lost';
  }

  /** Parses text at the start of a head, chunk-size line or trailer: bytes consumed, 'more' or 'lost'. */
  #parse(text: Buffer, startNs: bigint, endNs: bigint, toEnd: boolean): Parsed {
    if (this.#mode === 'chunk-size') {
      const eol = text.indexOf(CRLF);
      if (eol < 0) return text.length > 1024 ? 'lost' : 'more';
      const hex = text.toString('latin1', 0, eol).split(';')[0].trim();
      if (!/^[0-9a-fA-F]{1,12}$/.test(hex)) return 'lost';
      const size = Number.parseInt(hex, 16);
      if (size === 0) this.#mode = 'trailer';
      else {
        this.#mode = 'chunk-data';
        this.#remaining = size + 2; // the data and its CRLF
      }
      return eol + 2;
    }
    if (this.#mode === 'trailer') {
      if (text.length >= 2 && text[0] === 13 && text[1] === 10) {
        this.#end(endNs);
        return 2;
      }
      if (text.length < 2) return 'more';
      const end = text.indexOf(CRLFCRLF);
      if (end < 0) return 'more';
      this.#end(endNs);
      return end + 4;
    }
    // 'start': a request line or status line, after any empty lines (RFC 9112 §2.2).
    let i = 0;
    while (i < text.length && (text[i] === 13 || text[i] === 10)) i++;
    if (i === text.length) return i;
    if (text.length - i >= 5 && !looksLikeMessageStart(text.subarray(i), this.#kind)) return 'lost';
    const end = text.indexOf(CRLFCRLF, i);
    if (end < 0) {
      if (!toEnd) return this.#truncatedHead(text.subarray(i), startNs);
      return text.length - i > MAX_CARRY ? 'lost' : 'more';
    }
    const lines = text.toString('latin1', i, end).split('\r\n');
    const head = this.#startLine(lines[0]);
    if (!head) return 'lost';
    let contentLength = -1;
    let chunked = false;
    for (let k = 1; k < lines.length; k++) {
      const colon = lines[k].indexOf(':');
      if (colon <= 0) continue;
      const name = lines[k].slice(0, colon).trim().toLowerCase();
      const value = lines[k].slice(colon + 1).trim();
      if (name === 'content-length') {
        if (!/^\d+$/.test(value)) return 'lost';
        contentLength = Number(value);
      } else if (name === 'transfer-encoding') {
        chunked = value.toLowerCase().split(',').at(-1)?.trim() === 'chunked';
      }
    }
    const consumed = end + 4;
    if (this.#kind === 'response' && head.status !== undefined && head.status < 200 && head.status !== 101) {
      return consumed; // 100 Continue and other interim responses: the final response follows
    }
    this.#open = true;
    this.#listener.head(head, startNs);
    if (head.status === 101) {
      this.#end(endNs);
      this.#mode = 'upgraded';
      return text.length;
    }
    const bodiless =
      this.#kind === 'response' &&
      (this.#requestMethod() === 'HEAD' || head.status === 204 || head.status === 304);
    if (bodiless) this.#end(endNs);
    else if (chunked) this.#mode = 'chunk-size';
    else if (contentLength > 0) {
      this.#mode = 'body';
      this.#remaining = contentLength;
    } else if (contentLength === 0 || this.#kind === 'request') this.#end(endNs);
    else this.#mode = 'until-close';
    return consumed;
  }

  /** A head cut off by the capture: report its first line, then wait for the next message. */
  #truncatedHead(text: Buffer, startNs: bigint): Parsed {
    const eol = text.indexOf(CRLF);
    const head = eol > 0 ? this.#startLine(text.toString('latin1', 0, eol)) : undefined;
    if (!head) return 'lost';
    head.truncated = true;
    this.#open = true;
    this.#listener.head(head, startNs);
    return 'lost';
  }

  #startLine(line: string): Http1Head | undefined {
    if (this.#kind === 'request') {
      const m = REQUEST_LINE.exec(line);
      return m ? { method: m[1], target: m[2], version: `1.${m[3]}`, truncated: false } : undefined;
    }
    const m = STATUS_LINE.exec(line);
    return m ? { status: Number(m[2]), version: `1.${m[1]}`, truncated: false } : undefined;
  }
}
