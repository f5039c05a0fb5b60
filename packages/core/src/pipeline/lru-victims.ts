/**
 * The keys to evict when a table of series is full: the `count` least recently used, by each entry's last-use tick
 * (ties at the cut are evicted too, so a few more may go). One sort of the ticks, so evicting in batches of 1% of
 * the cap costs O(100 log n) per admitted series, amortised, instead of keeping an LRU list in order on every point.
 *
 * @example
 * lruVictims(new Map([['a', { seen: 5 }], ['b', { seen: 2 }]]), 1); // ['b']
 */
export function lruVictims<K>(entries: ReadonlyMap<K, { readonly seen: number }>, count: number): K[] {
  if (count <= 0 || entries.size === 0) return [];
  const ticks = new Float64Array(entries.size);
  let i = 0;
  for (const e of entries.values()) ticks[i++] = e.seen;
  ticks.sort();
  const cut = ticks[Math.min(count, entries.size) - 1];
  const out: K[] = [];
  for (const [k, e] of entries) if (e.seen <= cut) out.push(k);
  return out;
}
