import { VigilInputError } from '../errors.js';
import type { Detector, DetectorSnapshot } from './detector.js';

/** Rebuilds a detector from a snapshot of a version the registered restorer understands (≤ its current version). */
// biome-ignore lint/suspicious/noExplicitAny: a registry holds detectors of every input type
export type RestoreDetector = (snapshot: DetectorSnapshot) => Detector<any>;

interface Entry {
  readonly version: number;
  readonly restore: RestoreDetector;
}

// One registry per process even when both the ESM and the CJS build of core are loaded.
const REGISTRY_KEY = Symbol.for('vigil.detector-registry');
function registry(): Map<string, Entry> {
  const g = globalThis as { [REGISTRY_KEY]?: Map<string, Entry> };
  g[REGISTRY_KEY] ??= new Map();
  return g[REGISTRY_KEY];
}

/**
 * Registers how to restore snapshots of `kind`; `version` is the newest snapshot version the restorer reads.
 * Registering a kind again replaces it.
 *
 * @throws {VigilInputError} `INVALID_OPTION` for an empty kind or a version that is not a positive integer.
 * @example
 * registerDetector('zscore', (s) => ZScoreDetector.fromJSON(s), 1);
 */
export function registerDetector(kind: string, restore: RestoreDetector, version = 1): void {
  if (typeof kind !== 'string' || kind === '') {
    throw new VigilInputError('INVALID_OPTION', 'kind must be a non-empty string.', 'kind');
  }
  if (!Number.isInteger(version) || version < 1) {
    throw new VigilInputError(
      'INVALID_OPTION',
      `version must be a positive integer; got ${version}.`,
      'version',
    );
  }
  registry().set(kind, { version, restore });
}

/** The kinds that can currently be restored, sorted. */
export function registeredKinds(): string[] {
  return [...registry().keys()].sort();
}

/**
 * Restores a detector from `detector.toJSON()` output (or its `JSON.parse`d text).
 *
 * @throws {VigilInputError} `INVALID_SNAPSHOT` when it is not a snapshot, `UNKNOWN_KIND` when no detector of that
 *   kind is registered (import `@vigil/detectors` to register the built-in ones), `SNAPSHOT_VERSION` when the
 *   snapshot is newer than this version of the code reads.
 * @example
 * const copy = loadDetector(JSON.parse(JSON.stringify(detector)));
 */
// biome-ignore lint/suspicious/noExplicitAny: the caller knows which kind it restores
export function loadDetector<D extends Detector<any> = Detector<any>>(
  snapshot: DetectorSnapshot | unknown,
): D {
  const s = snapshot as Partial<DetectorSnapshot> | null;
  if (
    s === null ||
    typeof s !== 'object' ||
    typeof s.kind !== 'string' ||
    typeof s.version !== 'number' ||
    !('state' in s)
  ) {
    throw new VigilInputError(
      'INVALID_SNAPSHOT',
      'Not a detector snapshot: expected { kind, version, options, state } as produced by detector.toJSON().',
      'snapshot',
    );
  }
  const entry = registry().get(s.kind);
  if (!entry) {
    const known = registeredKinds();
    throw new VigilInputError(
      'UNKNOWN_KIND',
      `No detector of kind '${s.kind}' is registered (known: ${known.length ? known.join(', ') : 'none'}); import the package that provides it, e.g. '@vigil/detectors'.`,
      'kind',
    );
  }
  if (!Number.isInteger(s.version) || s.version < 1 || s.version > entry.version) {
    throw new VigilInputError(
      'SNAPSHOT_VERSION',
      `Snapshot of '${s.kind}' has version ${s.version}, but this code reads versions 1 to ${entry.version}; upgrade the package that wrote it.`,
      'version',
    );
  }
  return entry.restore(s as DetectorSnapshot) as D;
}
