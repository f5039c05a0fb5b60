/** What a {@link VigilError} carries besides its code and message. */
export interface VigilErrorDetails {
  /** The offending field or argument, when there is one (e.g. `'timestamps'`, `'options.window'`, `'--out'`). */
  readonly field?: string;
  /** What to do about it, when that is more than the message already says. */
  readonly fix?: string;
  /** The underlying error, when this one wraps another. */
  readonly cause?: unknown;
}

/**
 * Base class of every error a Vigil package throws on purpose: `code` is stable (callers may switch on it),
 * `message` says what was wrong and what to do, `field` names the input at fault and `fix` the remedy, when there
 * are such. Each package extends it with its own code type and keeps the one constructor order
 * `(code, message, details)`: `VigilInputError` (`@vigil/core`), `ManifestError` (`@vigil/deploy-manifests`),
 * `VigilEbpfError` (`@vigil/ebpf-native`).
 *
 * @typeParam C - the package's union of stable codes.
 * @example
 * try { await detector.fit(series); }
 * catch (e) { if (e instanceof VigilError) console.error(e.code, e.field, e.fix); else throw e; }
 */
export class VigilError<C extends string = string> extends Error {
  /** Stable machine-readable code. */
  readonly code: C;
  /** The offending field or argument, when there is one. */
  readonly field: string | undefined;
  /** What to do about it, when there is more to say than the message. */
  readonly fix: string | undefined;

  constructor(code: C, message: string, details: VigilErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'VigilError';
    this.code = code;
    this.field = details.field;
    this.fix = details.fix;
  }
}
