import { VigilError, type VigilErrorDetails } from '@vigil/errors';

/**
 * Stable error codes thrown by `@vigil/deploy-manifests`.
 *
 * - `INVALID_OPTION`: an option has the wrong type, an unknown value or breaks a Kubernetes naming rule.
 * - `INVALID_POLICY`: a Tetragon TracingPolicy is internally inconsistent (e.g. a selector names an undeclared argument).
 * - `SCHEMA_VIOLATION`: a generated object fails the Kubernetes OpenAPI schema or has a field the schema does not know.
 * - `BROKEN_REFERENCE`: a generated object points at something the bundle does not contain (ConfigMap, port, endpoint).
 * - `POD_SECURITY`: a pod would be rejected by the Pod Security level its namespace enforces.
 * - `UNSAFE_PATH`: `vigil-manifests --out` was given a path it will not write through (a symbolic link, or a file
 *   where a directory is needed).
 */
export type ManifestErrorCode =
  | 'INVALID_OPTION'
  | 'INVALID_POLICY'
  | 'SCHEMA_VIOLATION'
  | 'BROKEN_REFERENCE'
  | 'POD_SECURITY'
  | 'UNSAFE_PATH';

/** What a {@link ManifestError} carries: always the field at fault, and the accepted values of an enumeration. */
export interface ManifestErrorDetails extends VigilErrorDetails {
  /** Dotted path of the option or object field at fault, e.g. `tools[2]` or `beyla/DaemonSet/spec.template`. */
  readonly field: string;
  /** The accepted values, when the field is an enumeration. */
  readonly allowed?: readonly string[];
}

/**
 * The one error type this package throws, a {@link VigilError} like every Vigil error: a stable `code`, the
 * offending `field` (a dotted path, also the message's prefix) and, where the field is an enumeration, the
 * `allowed` values.
 *
 * @example
 * try { stack({ namespace: 'Bad_NS', otlpEndpoint: 'http://x:4317' }); }
 * catch (e) { if (e instanceof ManifestError) console.log(e.code, e.field); } // INVALID_OPTION namespace
 */
export class ManifestError extends VigilError<ManifestErrorCode> {
  /** Dotted path of the option or object field at fault, e.g. `tools[2]` or `beyla/DaemonSet/spec.template`. */
  declare readonly field: string;
  /** The accepted values, when the field is an enumeration. */
  readonly allowed?: readonly string[];

  constructor(code: ManifestErrorCode, message: string, details: ManifestErrorDetails) {
    const suffix = details.allowed ? ` Allowed values: ${details.allowed.join(', ')}.` : '';
    super(code, `${details.field}: ${message}${suffix}`, details);
    this.name = 'ManifestError';
    if (details.allowed) this.allowed = details.allowed;
  }
}
