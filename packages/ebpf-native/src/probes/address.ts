/** Socket addresses as the kernel stores them (4 or 16 bytes, network order) → text. */

const AF_INET = 2;

/** `127.0.0.1` for AF_INET, `::1`-style (zero runs compressed) for AF_INET6. */
export function formatAddress(b: Buffer, start: number, family: number): string {
  if (family === AF_INET) return `${b[start]}.${b[start + 1]}.${b[start + 2]}.${b[start + 3]}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(start + i).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}
