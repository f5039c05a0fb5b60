/**
 * The service a series belongs to: the part of its key before the first `/`, as `seriesKey` writes keys
 * (`<service.name>/<metric>{attributes}`); the whole key when it has no `/`.
 *
 * @example
 * serviceOf('checkout/http.server.request.duration{http.route=/pay}'); // 'checkout'
 * serviceOf('cpu'); // 'cpu'
 */
export function serviceOf(seriesKey: string): string {
  const slash = seriesKey.indexOf('/');
  return slash > 0 ? seriesKey.slice(0, slash) : seriesKey;
}

/**
 * The attributes of a series key's `{k=v,…}` suffix (empty when it has none).
 *
 * @example
 * seriesAttributes('web/http.client.request.duration{server.address=db}'); // { 'server.address': 'db' }
 */
export function seriesAttributes(seriesKey: string): Record<string, string> {
  const open = seriesKey.indexOf('{');
  if (open < 0 || !seriesKey.endsWith('}')) return {};
  const out: Record<string, string> = {};
  for (const pair of seriesKey.slice(open + 1, -1).split(',')) {
    const eq = pair.indexOf('=');
    if (eq > 0) out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}
