/** Kernel objects of probes their owner dropped without `close()` go when the probe is garbage-collected. */

/**
 * Closes the objects of probes their owner dropped without `close()`, once the probe is collected. The ring
 * callback and timers reach a probe only through a WeakRef, so nothing but its owner keeps it alive.
 */
const dropped = new FinalizationRegistry<() => void>((release) => release());

/**
 * Arranges for `release` to run when `probe` is garbage-collected unless `close()` unregistered it first
 * (`release` must not reference the probe).
 */
export function closeWhenCollected(probe: object, release: () => void): void {
  dropped.register(probe, release, probe);
}

/** Undoes {@link closeWhenCollected} for a probe closed by its owner. */
export function closedByOwner(probe: object): void {
  dropped.unregister(probe);
}
