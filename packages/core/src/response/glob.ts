/**
 * A glob as a whole-string regular expression: `*` matches any run of characters (including `/`), `?` one
 * character; everything else is literal.
 *
 * @example
 * globToRegExp('checkout/*').test('checkout/latency'); // true
 */
export function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}
