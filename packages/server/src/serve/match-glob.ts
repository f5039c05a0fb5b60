/**
 * A series-key pattern as a predicate: `*` matches any run of characters (including `/`), `?` one character, and
 * everything else itself.
 *
 * @example
 * matchGlob('checkout/http.*')('checkout/http.server.duration{route=/pay}'); // true
 */
export function matchGlob(pattern: string): (key: string) => boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  const re = new RegExp(`^${source}$`);
  return (key) => re.test(key);
}
