/**
 * FNV-1a, 32-bit, over the UTF-16 code units of `text`, followed by MurmurHash3's 32-bit finaliser (fmix32) so that
 * keys differing in one character land far apart (FNV-1a alone mixes its last characters into the low bits poorly).
 * Stable across processes, machines and versions (Fowler, Noll, Vo: "FNV-1a"; Appleby: MurmurHash3 `fmix32`).
 *
 * @example
 * fnv1a32('a'); // 0xe40c292c, the published FNV-1a test vector
 * hash32('a');  // fmix32 of it
 */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** {@link fnv1a32} then fmix32: a well-mixed unsigned 32-bit hash of `text`. */
export function hash32(text: string): number {
  let h = fnv1a32(text);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
