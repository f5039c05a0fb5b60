/**
 * Stable error codes thrown by `@vigil/deploy-manifests`.
 *
 * - `INVALID_OPTION`: an option has the wrong type, an unknown value or breaks a Kubernetes naming rule.
 * - `INVALID_POLICY`: a Tetragon TracingPolicy is internally inconsistent (e.g. a selector names an undeclared argument).
 * - `SCHEMA_VIOLATION`: a generated object fails the Kubernetes OpenAPI schema or has a field the schema does not know.
 * - `BROKEN_REFERENCE`: a generated object points at something the bundle does not contain (ConfigMap, port, endpoint).
 */
export type ManifestErrorCode = 'INVALID_OPTION' | 'INVALID_POLICY' | 'SCHEMA_VIOLATION' | 'BROKEN_REFERENCE';

/**
 * The one error type this package throws: a stable `code`, the offending `field` (a dotted path) and, where the
 * field is an enumeration, the `allowed` values.
 *
 * @example
 * try { stack({ namespace: 'Bad_NS', otlpEndpoint: 'http://x:4317' }); }
 * catch (e) { if (e instanceof ManifestError) console.log(e.code, e.field); } // INVALID_OPTION namespace
 */
export class ManifestError extends Error {
  /** Stable, machine-readable category of the failure. */
  readonly code: ManifestErrorCode;
  /** Dotted path of the option or object field at fault, e.g. `tools[2]` or `beyla/DaemonSet/spec.template`. */
  readonly field: string;
  /** The accepted values, when the field is an enumeration. */
  readonly allowed?: readonly string[];

  constructor(code: ManifestErrorCode, field: string, message: string, allowed?: readonly string[]) {
    const suffix = allowed ? ` Allowed values: ${allowed.join(', ')}.` : '';
    super(`${field}: ${message}${suffix}`);
    this.name = 'ManifestError';
    this.code = code;
    this.field = field;
    if (allowed) this.allowed = allowed;
  }
}
