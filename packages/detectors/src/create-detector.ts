import type { Detector } from '@vigil/core';
import type { DetectorKind, DetectorOptionsMap, DetectorTypeMap } from './detector-options.js';
import { buildDetector } from './factory-registry.js';

/**
 * Creates a detector by kind with its options, e.g. `createDetector('zscore', { window: 120 })`. For a built-in
 * kind the options are typed (editors complete their names, a misspelt one does not compile) and so is the
 * result; a kind held in a `string`, or one registered by an extension with `registerFactory`, goes through the
 * untyped overload. Unknown option keys are rejected at run time either way.
 *
 * @throws {VigilInputError} `UNKNOWN_KIND` naming the known kinds; `INVALID_OPTION` naming an unknown option key,
 *   or from the detector's constructor for a value out of range.
 * @example
 * const d = createDetector('mad', { window: 60 }); // MadDetector
 * await d.fit(train);
 */
export function createDetector<K extends DetectorKind>(
  kind: K,
  options?: DetectorOptionsMap[K],
): DetectorTypeMap[K];
// biome-ignore lint/suspicious/noExplicitAny: the caller picks the kind
export function createDetector<D extends Detector<any> = Detector<any>, K extends string = string>(
  kind: K extends DetectorKind ? never : K,
  options?: object,
): D;
// biome-ignore lint/suspicious/noExplicitAny: the caller picks the kind
export function createDetector(kind: string, options?: object): Detector<any> {
  return buildDetector(kind, options);
}
