import type { Detector } from '@vigil/core';

/**
 * For a standalone streaming loop (no `Pipeline`): when the detector asks for a refit (`needsRefit`), runs its own
 * `refit()` now and returns true. `update` never refits by itself; call this between points where a pause is
 * acceptable (a replay, a batch job), or hand the series to a `Pipeline`, which refits in worker threads.
 *
 * @example
 * for (let i = 0; i < n; i++) {
 *   const p = detector.update(t[i], x[i]);
 *   await refitIfDue(detector);
 * }
 */
// biome-ignore lint/suspicious/noExplicitAny: any detector, univariate or multivariate
export async function refitIfDue(detector: Detector<any>): Promise<boolean> {
  const refit = (detector as { refit?: () => Promise<void> }).refit;
  if (detector.needsRefit !== true || typeof refit !== 'function') return false;
  await refit.call(detector);
  return true;
}
