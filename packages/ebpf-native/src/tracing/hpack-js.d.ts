/** The part of hpack.js (RFC 7541 encoder/decoder, no types of its own) this package uses. */
declare module 'hpack.js' {
  import type { Duplex } from 'node:stream';

  interface HpackDecompressor extends Duplex {
    /** Decodes what was written; emits 'error' on a malformed block. */
    execute(): void;
    read(): { name: string; value: string } | null;
  }
  interface HpackCompressor extends Duplex {
    execute(): void;
    read(): Buffer | null;
  }
  const hpack: {
    decompressor: { create(options: { table: { size: number } }): HpackDecompressor };
    compressor: { create(options: { table: { size: number } }): HpackCompressor };
    /** RFC 7541 Appendix B: `encode[symbol]` is [bit length, code] for symbols 0–256 (256 is EOS). */
    huffman: { encode: ReadonlyArray<readonly [number, number]> };
    /** RFC 7541 Appendix A, index 1 first. */
    'static-table': { table: ReadonlyArray<{ name: string; value: string }> };
  };
  export default hpack;
}
