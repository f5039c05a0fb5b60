/** Most distinct option sets kept for sharing; further ones are used unshared (a bound, not an expected count). */
const MAX_SHARED = 256;
const shared = new Map<string, object>();

/**
 * One frozen instance per distinct set of resolved options (compared by their JSON), so that the thousands of
 * detectors a Pipeline holds — one per series, nearly all configured alike — share one options object instead of
 * each carrying a copy, and the hot path reads it from a cache line they all use. The objects are deeply frozen:
 * nobody can change one detector's options through another's.
 *
 * @example
 * sharedOptions({ window: 60 }) === sharedOptions({ window: 60 }); // true
 */
export function sharedOptions<T extends object>(options: T): T {
  const key = JSON.stringify(options);
  const known = shared.get(key);
  if (known) return known as T;
  const frozen = deepFreeze(options);
  if (shared.size < MAX_SHARED) shared.set(key, frozen);
  return frozen;
}

function deepFreeze<T extends object>(o: T): T {
  for (const v of Object.values(o)) if (v && typeof v === 'object' && !Object.isFrozen(v)) deepFreeze(v);
  return Object.freeze(o);
}
