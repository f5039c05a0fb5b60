/**
 * An HTTP/1.x connection from one side: requests and responses paired in order (keep-alive and
 * pipelining answer requests first in, first out).
 */
import type { Capture } from './capture.js';
import type { Side } from './http-record.js';
import type { ConnectionParser, ParsedExchange } from './http-request.js';
import { Http1Stream } from './http1-stream.js';

interface PendingRequest {
  method: string;
  target: string;
  version: string;
  startNs: bigint;
}

/** Pairs the requests and responses of one HTTP/1.x connection. */
export class Http1Connection implements ConnectionParser {
  readonly #side: Side;
  readonly #emit: (exchange: ParsedExchange) => void;
  readonly #requests: Http1Stream;
  readonly #responses: Http1Stream;
  readonly #pending: PendingRequest[] = [];
  #status = 0;
  #unanswered = 0;

  constructor(side: Side, emit: (exchange: ParsedExchange) => void) {
    this.#side = side;
    this.#emit = emit;
    this.#requests = new Http1Stream('request', {
      head: (head, startNs) => {
        this.#pending.push({
          method: head.method ?? '',
          target: head.target ?? '/',
          version: head.version,
          startNs,
        });
      },
      complete: () => {},
    });
    this.#responses = new Http1Stream(
      'response',
      {
        head: (head) => {
          this.#status = head.status ?? 0;
        },
        complete: (endNs) => {
          const request = this.#pending.shift();
          if (!request) return; // a response to a request we did not see
          this.#emit({
            method: request.method,
            target: request.target,
            status: this.#status,
            protocolVersion: request.version,
            startNs: request.startNs,
            endNs,
          });
        },
      },
      () => this.#pending[0]?.method,
    );
  }

  get lostSync(): number {
    return this.#requests.lostSync + this.#responses.lostSync;
  }

  /** Requests that never got a response before the connection closed. */
  get unanswered(): number {
    return this.#unanswered;
  }

  feed(direction: 'in' | 'out', capture: Capture, startNs: bigint, endNs: bigint): void {
    const isRequest = (direction === 'in') === (this.#side === 'server');
    (isRequest ? this.#requests : this.#responses).feed(capture, startNs, endNs);
  }

  close(timeNs: bigint): void {
    this.#responses.close(timeNs);
    this.#requests.close(timeNs);
    this.#unanswered += this.#pending.length;
    this.#pending.length = 0;
  }
}
