import type { DetectorSnapshot } from '../detector/detector.js';
import type { FitOptions, FitProgress } from '../detector/fit-options.js';

/** Which detector a series gets, by registered kind: what a fit worker builds with the factory module. */
export interface DetectorSpec {
  readonly kind: string;
  readonly options?: object;
}

/** A fit sent to a worker: build `kind` with `options` from the factory module, fit it on the series. */
export interface FitTask extends DetectorSpec {
  readonly id: number;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  /** The caller listens to progress: the worker posts {@link FitProgressMessage}s. */
  readonly progress: boolean;
}

/** Stop fit `cancel` at its next check (the detector throws `ABORTED` there). */
export interface FitCancel {
  readonly cancel: number;
}

/** What the pool sends a worker. */
export type ToFitWorker = FitTask | FitCancel;

/** How far fit `id` got (posted at most every `PROGRESS_INTERVAL_MS`, and at its end). */
export interface FitProgressMessage {
  readonly id: number;
  readonly progress: FitProgress;
}

/** A worker's answer: the fitted model's snapshot, or why the fit failed. */
export type FitReply =
  | { readonly id: number; readonly snapshot: DetectorSnapshot }
  | { readonly id: number; readonly error: { readonly message: string; readonly code?: string } };

/** Least time, ms, between two progress messages of one fit: a detector may report per batch. */
export const PROGRESS_INTERVAL_MS = 50;

/** What a factory module exports: `createDetector(kind, options)`, as `@vigil/detectors` does. */
export interface DetectorFactoryModule {
  createDetector(
    kind: string,
    options?: object,
  ): {
    fit(train: { timestamps: Float64Array; values: Float64Array }, options?: FitOptions): Promise<void>;
    toJSON(): DetectorSnapshot;
  };
}

/** Loads a factory module by specifier or URL and checks that it exports `createDetector`. */
export async function loadFactoryModule(specifier: string): Promise<DetectorFactoryModule> {
  const m = (await import(specifier)) as Partial<DetectorFactoryModule> & { default?: DetectorFactoryModule };
  const factory = typeof m.createDetector === 'function' ? m : m.default;
  if (!factory || typeof factory.createDetector !== 'function') {
    throw new Error(
      `the detector module '${specifier}' does not export createDetector(kind, options); point detectors.module at one that does, e.g. '@vigil/detectors'`,
    );
  }
  return factory as DetectorFactoryModule;
}
