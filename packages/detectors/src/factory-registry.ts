import { type Detector, VigilInputError } from '@vigil/core';

// biome-ignore lint/suspicious/noExplicitAny: each kind has its own options and input type
type Factory = (options?: any) => Detector<any>;

/** The option names a kind accepts: a list, or (when the options pick the class, as for 'ensemble') a function. */
export type OptionNames = readonly string[] | ((options: object) => readonly string[]);

// The runtime registry behind createDetector: one entry per kind, so extensions can add their own kinds.
const factories = new Map<string, { factory: Factory; names: OptionNames | undefined }>();

/**
 * Adds a kind to `createDetector` (used by this package's detectors; extensions may add their own). With
 * `optionNames`, an option key outside them is rejected as `INVALID_OPTION` before the factory runs.
 */
export function registerFactory(kind: string, factory: Factory, optionNames?: OptionNames): void {
  factories.set(kind, { factory, names: optionNames });
}

/** The kinds `createDetector` can build, sorted. */
export function detectorKinds(): string[] {
  return [...factories.keys()].sort();
}

/**
 * Builds a detector of a registered kind (the untyped core of `createDetector`).
 *
 * @throws {VigilInputError} `UNKNOWN_KIND` naming the known kinds; `INVALID_OPTION` when `options` is not an object
 *   or has a key the kind does not know (named, with the known ones); the detector constructor's own errors.
 */
// biome-ignore lint/suspicious/noExplicitAny: the caller picks the kind
export function buildDetector(kind: string, options?: object): Detector<any> {
  const entry = typeof kind === 'string' ? factories.get(kind) : undefined;
  if (!entry) {
    throw new VigilInputError(
      'UNKNOWN_KIND',
      `Unknown detector kind '${String(kind)}'; known kinds: ${detectorKinds().join(', ')}.`,
      'kind',
    );
  }
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw new VigilInputError(
      'INVALID_OPTION',
      `options of a '${kind}' detector must be an object; got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}.`,
      'options',
    );
  }
  if (options !== undefined && entry.names !== undefined) {
    const known = typeof entry.names === 'function' ? entry.names(options) : entry.names;
    for (const key of Object.keys(options)) {
      if (!known.includes(key)) {
        throw new VigilInputError(
          'INVALID_OPTION',
          `options.${key} is not an option of a '${kind}' detector; its options are ${[...known].sort().join(', ')}.`,
          `options.${key}`,
        );
      }
    }
  }
  return entry.factory(options);
}
