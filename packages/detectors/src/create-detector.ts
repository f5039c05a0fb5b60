import { type Detector, VigilInputError } from '@vigil/core';

// biome-ignore lint/suspicious/noExplicitAny: each kind has its own options and input type
type Factory = (options?: any) => Detector<any>;

// One line per detector kind; `loadDetector` restorers are registered next to each class (see register.ts).
const factories: Record<string, Factory> = {};

/** Adds a kind to {@link createDetector} (used by this package's detectors; extensions may add their own). */
export function registerFactory(kind: string, factory: Factory): void {
  factories[kind] = factory;
}

/** The kinds {@link createDetector} can build, sorted. */
export function detectorKinds(): string[] {
  return Object.keys(factories).sort();
}

/**
 * Creates a detector by kind with its options, e.g. `createDetector('zscore', { window: 120 })`.
 *
 * @throws {VigilInputError} `UNKNOWN_KIND` naming the known kinds; `INVALID_OPTION` from the detector's constructor.
 * @example
 * const d = createDetector('mad', { window: 60 });
 * await d.fit(train);
 */
// biome-ignore lint/suspicious/noExplicitAny: the caller picks the kind
export function createDetector<D extends Detector<any> = Detector<any>>(kind: string, options?: object): D {
  const factory = Object.hasOwn(factories, kind) ? factories[kind] : undefined;
  if (!factory) {
    throw new VigilInputError(
      'UNKNOWN_KIND',
      `Unknown detector kind '${kind}'; known kinds: ${detectorKinds().join(', ')}.`,
      'kind',
    );
  }
  return factory(options) as D;
}
