/**
 * The one error family: `VigilError` (stable `code`, `field`, `fix`), the base of every Vigil package's errors.
 *
 * @packageDocumentation
 * @module @vigil/errors
 */
export * from '../../packages/errors/src/index.js';
