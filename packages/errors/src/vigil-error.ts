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
 * Where an instance records the names of its classes, VigilError included (a registered symbol, so every copy of
 * this module — the ESM and the CommonJS build loaded in one process, or two installed versions — uses the same key).
 */
const CLASSES = Symbol.for('@vigil/errors.classes');

/** The names of `target` and its superclasses up to and including the one named `VigilError`. */
function classNames(target: abstract new (...args: never) => unknown): string[] {
  const names: string[] = [];
  for (let c: unknown = target; typeof c === 'function' && c !== Error && c !== Function.prototype; ) {
    const { name } = c as { name: string };
    names.push(name);
    if (name === 'VigilError') break;
    c = Object.getPrototypeOf(c);
  }
  return names;
}

/**
 * Base class of every error a Vigil package throws on purpose: `code` is stable (callers may switch on it),
 * `message` says what was wrong and what to do, `field` names the input at fault and `fix` the remedy, when there
 * are such. Each package extends it with its own code type and keeps the one constructor order
 * `(code, message, details)`: `VigilInputError` (`@vigil/core`), `ManifestError` (`@vigil/deploy-manifests`),
 * `VigilEbpfError` (`@vigil/ebpf-native`).
 *
 * `instanceof` works across copies of a package: an application that both `import`s and `require`s Vigil loads the
 * ESM and the CommonJS build, each with its own classes, and an error thrown by one is still `instanceof` the
 * other's `VigilError` (and `VigilInputError`, …): besides the usual prototype check, `instanceof` accepts an
 * error whose recorded class names include the class's name.
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
    Object.defineProperty(this, CLASSES, { value: classNames(new.target) });
  }

  /** The prototype check, or else the class names an error of another copy of Vigil recorded (see above). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // `this` is the class on the right of `instanceof`: subclasses inherit this method.
    // biome-ignore lint/complexity/noThisInStatic: the class asked about, not VigilError itself
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (value === null || typeof value !== 'object') return false;
    const names = (value as { [CLASSES]?: unknown })[CLASSES];
    // biome-ignore lint/complexity/noThisInStatic: the class asked about, not VigilError itself
    return Array.isArray(names) && names.includes(this.name);
  }
}
