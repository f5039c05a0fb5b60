/**
 * HPACK header-block decoding (RFC 7541) for the tracer's hot path: integers (§5.1), string literals with
 * Huffman coding (§5.2, the code of Appendix B), the static (Appendix A) and dynamic tables (§2.3, §4) with
 * size updates (§6.3), and the four field representations (§6). The code and static tables are hpack.js's
 * data; the decoding is a plain loop over the block, without the stream machinery hpack.js's own decoder
 * runs per block (which cost the tracer most of its CPU per gRPC call).
 */
import hpack from 'hpack.js';

/** A malformed header block (the connection's dynamic table is then unknown). */
export class HpackError extends Error {}

interface Field {
  name: string;
  value: string;
  /** RFC 7541 §4.1: name and value octets plus 32. */
  size: number;
}

const STATIC: readonly Field[] = hpack['static-table'].table.map((f) => ({
  name: f.name,
  value: f.value,
  size: f.name.length + f.value.length + 32,
}));

/**
 * The Huffman code as a decoding trie over bits: node i's children are at trie[2i] (bit 0) and
 * trie[2i + 1] (bit 1); a value ≥ 0x10000 is a leaf holding symbol value - 0x10000, 0 is no child.
 */
const TRIE = (() => {
  const trie: number[] = [0, 0];
  let nodes = 1;
  hpack.huffman.encode.forEach(([bits, code], symbol) => {
    let node = 0;
    for (let i = bits - 1; i >= 0; i--) {
      const slot = 2 * node + ((code >>> i) & 1);
      if (i === 0) {
        trie[slot] = 0x10000 + symbol;
        break;
      }
      if (trie[slot] === 0) {
        trie[slot] = nodes++;
        trie.push(0, 0);
      }
      node = trie[slot];
    }
  });
  return Int32Array.from(trie);
})();
const EOS = 256;

function huffman(b: Buffer, start: number, end: number): string {
  let out = '';
  let node = 0;
  let depth = 0;
  let ones = true;
  for (let i = start; i < end; i++) {
    const byte = b[i];
    for (let bit = 7; bit >= 0; bit--) {
      const one = (byte >>> bit) & 1;
      const next = TRIE[2 * node + one];
      if (next === 0) throw new HpackError('invalid Huffman code');
      depth++;
      ones &&= one === 1;
      if (next >= 0x10000) {
        const symbol = next - 0x10000;
        if (symbol === EOS) throw new HpackError('EOS in a Huffman string');
        out += String.fromCharCode(symbol);
        node = 0;
        depth = 0;
        ones = true;
      } else node = next;
    }
  }
  // §5.2: padding is the EOS code's most significant bits (all ones), at most 7 of them.
  if (depth > 7 || !ones) throw new HpackError('invalid Huffman padding');
  return out;
}

/** One direction's decoder: feed it every header block of the connection in order. */
export class HpackDecoder {
  #dynamic: Field[] = []; // newest first
  #size = 0;
  #maxSize: number;
  #pos = 0;
  #block: Buffer = Buffer.alloc(0);
  #version = 0;

  /** @param maxSize SETTINGS_HEADER_TABLE_SIZE, the bound of dynamic table size updates; default 4096. */
  constructor(maxSize = 4096) {
    this.#maxSize = maxSize;
  }

  /**
   * Changes whenever the dynamic table does (an insertion, a size update): a block decoded twice at the
   * same version decodes to the same fields, which lets a caller cache decoded blocks.
   */
  get version(): number {
    return this.#version;
  }

  /**
   * The fields of a complete header block, in order (a name may repeat).
   *
   * @throws {HpackError} a malformed block; the decoder is then out of step with its peer.
   */
  decode(block: Buffer): Array<[string, string]> {
    this.#block = block;
    this.#pos = 0;
    const out: Array<[string, string]> = [];
    while (this.#pos < block.length) {
      const first = block[this.#pos];
      if (first & 0x80) {
        // §6.1 indexed field
        const f = this.#field(this.#integer(7));
        out.push([f.name, f.value]);
      } else if (first & 0x40) {
        // §6.2.1 literal with incremental indexing
        const [name, value] = this.#literal(6);
        out.push([name, value]);
        this.#insert({ name, value, size: name.length + value.length + 32 });
      } else if (first & 0x20) {
        // §6.3 dynamic table size update
        const size = this.#integer(5);
        if (size > this.#maxSize) throw new HpackError('table size update above the limit');
        this.#maxSize = size;
        this.#evict(0);
        this.#version++;
      } else {
        // §6.2.2 without indexing, §6.2.3 never indexed
        out.push(this.#literal(4));
      }
    }
    return out;
  }

  #integer(prefix: number): number {
    const b = this.#block;
    const max = (1 << prefix) - 1;
    let value = b[this.#pos++] & max;
    if (value < max) return value;
    for (let shift = 0; ; shift += 7) {
      if (this.#pos >= b.length || shift > 28) throw new HpackError('truncated or oversized integer');
      const byte = b[this.#pos++];
      value += (byte & 0x7f) * 2 ** shift;
      if (!(byte & 0x80)) return value;
    }
  }

  #string(): string {
    const b = this.#block;
    if (this.#pos >= b.length) throw new HpackError('truncated string');
    const huffmanCoded = (b[this.#pos] & 0x80) !== 0;
    const length = this.#integer(7);
    const start = this.#pos;
    const end = start + length;
    if (end > b.length) throw new HpackError('truncated string');
    this.#pos = end;
    return huffmanCoded ? huffman(b, start, end) : b.toString('latin1', start, end);
  }

  #literal(prefix: number): [string, string] {
    const index = this.#integer(prefix);
    const name = index === 0 ? this.#string() : this.#field(index).name;
    return [name, this.#string()];
  }

  #field(index: number): Field {
    if (index >= 1 && index <= STATIC.length) return STATIC[index - 1];
    const f = this.#dynamic[index - STATIC.length - 1];
    if (!f) throw new HpackError(`index ${index} is in neither table`);
    return f;
  }

  #insert(f: Field): void {
    this.#version++;
    this.#evict(f.size);
    if (f.size > this.#maxSize) return; // §4.4: an entry larger than the table empties it
    this.#dynamic.unshift(f);
    this.#size += f.size;
  }

  /** Evicts the oldest entries until `room` more octets fit (§4.4). */
  #evict(room: number): void {
    while (this.#dynamic.length > 0 && this.#size + room > this.#maxSize) {
      this.#size -= (this.#dynamic.pop() as Field).size;
    }
  }
}
