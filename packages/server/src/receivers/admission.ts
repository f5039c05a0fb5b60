/** Why a receiver turns an export request away before reading its data. */
export type Refusal = 'unauthenticated' | 'not-ready' | 'unavailable' | 'overloaded';

/** Options of an {@link Admission}. */
export interface AdmissionOptions {
  /** When set, requests must carry `Bearer <token>` credentials. */
  readonly bearerToken?: string;
  /** True while the pipeline behind the receiver is over its queue bound (back-pressure). */
  readonly overloaded?: () => boolean;
  /** Why the store behind the receiver cannot take points now (e.g. NATS is down), or undefined when it can. */
  readonly unavailable?: () => string | undefined;
}

/**
 * What the OTLP receivers (HTTP and gRPC) check before they read an export request, in one place: the bearer
 * token, readiness (false while the service starts or drains), the store's availability (a cluster's NATS
 * connection) and back-pressure (the Pipeline's fit queue over its bound). Each transport maps the refusal to its
 * own status: HTTP 401 / 503 / 503 / 429 (all but the first with `Retry-After`), gRPC UNAUTHENTICATED / UNAVAILABLE
 * (the status OTLP clients retry, with a `RetryInfo` delay).
 *
 * @example
 * const gate = new Admission({ bearerToken: 's3cret', overloaded: () => pipeline.overloaded });
 * const refusal = gate.check(req.headers.authorization); // undefined: read the request
 */
export class Admission {
  /** While false, every request is refused as `not-ready`. */
  ready = true;
  readonly #o: AdmissionOptions;

  constructor(options: AdmissionOptions = {}) {
    this.#o = options;
  }

  /** The refusal for a request with these credentials, with the message for the client; undefined to admit it. */
  check(authorization: string | undefined): { refusal: Refusal; message: string } | undefined {
    if (this.#o.bearerToken !== undefined && authorization !== `Bearer ${this.#o.bearerToken}`) {
      return {
        refusal: 'unauthenticated',
        message: 'Missing or wrong bearer token: send Authorization: Bearer <token>.',
      };
    }
    if (!this.ready) {
      return {
        refusal: 'not-ready',
        message: 'Vigil is not ready (starting or shutting down); retry later.',
      };
    }
    const unavailable = this.#o.unavailable?.();
    if (unavailable !== undefined) {
      return {
        refusal: 'unavailable',
        message: `Vigil cannot store points now (${unavailable}); retry later.`,
      };
    }
    if (this.#o.overloaded?.()) {
      return {
        refusal: 'overloaded',
        message: 'Vigil is behind on fitting detectors (its queue is over its bound); retry later.',
      };
    }
    return undefined;
  }

  /**
   * Adds the `ready` switch to a receiver's handle, and a `close` that first stops admitting requests, so that
   * both transports expose the same handle shape.
   */
  handle<T extends object>(
    fields: T,
    shutdown: () => Promise<void>,
  ): T & { ready: boolean; close(): Promise<void> } {
    // Accessors, not copies: the handle's `ready` is the gate's.
    Object.defineProperty(fields, 'ready', {
      enumerable: true,
      get: () => this.ready,
      set: (v: boolean) => {
        this.ready = v;
      },
    });
    Object.defineProperty(fields, 'close', {
      enumerable: true,
      value: () => {
        this.ready = false;
        return shutdown();
      },
    });
    return fields as T & { ready: boolean; close(): Promise<void> };
  }
}
