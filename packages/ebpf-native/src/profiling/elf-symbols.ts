/**
 * Function symbols of an ELF64 little-endian file (`.symtab`, else also `.dynsym`), looked up by file
 * offset: program headers (PT_LOAD) turn the offset a process maps into the virtual address symbols use
 * (System V ABI, ELF-64 Object File Format 1.5). Only the headers and symbol tables are read.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { lastAtOrBelow } from './last-at-or-below.js';

const SHT_SYMTAB = 2;
const SHT_DYNSYM = 11;
const STT_FUNC = 2;
const PT_LOAD = 1;

interface LoadSegment {
  offset: number;
  vaddr: number;
  filesz: number;
}

function readAt(fd: number, position: number, length: number): Buffer {
  const b = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, b, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return b.subarray(0, done);
}

/** A sorted function-symbol table of one ELF file. */
export class ElfSymbols {
  readonly #starts: Float64Array;
  readonly #ends: Float64Array;
  readonly #names: string[];
  readonly #segments: LoadSegment[];

  private constructor(symbols: Array<[number, number, string]>, segments: LoadSegment[]) {
    symbols.sort((a, b) => a[0] - b[0]);
    this.#starts = Float64Array.from(symbols, (s) => s[0]);
    this.#ends = Float64Array.from(symbols, (s) => s[0] + s[1]);
    this.#names = symbols.map((s) => s[2]);
    this.#segments = segments;
  }

  /** Reads the symbols of `path`; undefined when it is not a readable ELF64 little-endian file. */
  static load(path: string): ElfSymbols | undefined {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      return undefined;
    }
    try {
      const eh = readAt(fd, 0, 64);
      if (eh.length < 64 || eh.readUInt32BE(0) !== 0x7f454c46 || eh[4] !== 2 || eh[5] !== 1) return undefined;
      const phoff = Number(eh.readBigUInt64LE(0x20));
      const shoff = Number(eh.readBigUInt64LE(0x28));
      const phentsize = eh.readUInt16LE(0x36);
      const phnum = eh.readUInt16LE(0x38);
      const shentsize = eh.readUInt16LE(0x3a);
      const shnum = eh.readUInt16LE(0x3c);
      const segments: LoadSegment[] = [];
      const ph = readAt(fd, phoff, phentsize * phnum);
      for (let i = 0; i + 56 <= ph.length; i += phentsize) {
        if (ph.readUInt32LE(i) !== PT_LOAD) continue;
        segments.push({
          offset: Number(ph.readBigUInt64LE(i + 8)),
          vaddr: Number(ph.readBigUInt64LE(i + 16)),
          filesz: Number(ph.readBigUInt64LE(i + 32)),
        });
      }
      const sh = readAt(fd, shoff, shentsize * shnum);
      const sections = [];
      for (let i = 0; i + 64 <= sh.length; i += shentsize) {
        sections.push({
          type: sh.readUInt32LE(i + 4),
          offset: Number(sh.readBigUInt64LE(i + 24)),
          size: Number(sh.readBigUInt64LE(i + 32)),
          link: sh.readUInt32LE(i + 40),
          entsize: Number(sh.readBigUInt64LE(i + 56)),
        });
      }
      const symbols: Array<[number, number, string]> = [];
      const seen = new Set<number>();
      // .symtab is the full table; .dynsym adds what a stripped binary still exports.
      for (const type of [SHT_SYMTAB, SHT_DYNSYM]) {
        for (const s of sections.filter((x) => x.type === type)) {
          const strtab = sections[s.link];
          if (!strtab || s.entsize < 24) continue;
          const table = readAt(fd, s.offset, s.size);
          const strings = readAt(fd, strtab.offset, strtab.size);
          for (let at = 0; at + 24 <= table.length; at += s.entsize) {
            if ((table[at + 4] & 0xf) !== STT_FUNC) continue;
            const value = Number(table.readBigUInt64LE(at + 8));
            if (value === 0 || seen.has(value)) continue;
            const nameAt = table.readUInt32LE(at);
            const end = strings.indexOf(0, nameAt);
            const name = strings.toString('utf8', nameAt, end < 0 ? strings.length : end);
            if (!name) continue;
            seen.add(value);
            symbols.push([value, Number(table.readBigUInt64LE(at + 16)), name]);
          }
        }
      }
      return new ElfSymbols(symbols, segments);
    } catch {
      return undefined;
    } finally {
      closeSync(fd);
    }
  }

  /** Function symbols loaded. */
  get size(): number {
    return this.#names.length;
  }

  /** The virtual address of a file offset, through the PT_LOAD segment that maps it. */
  addressOf(fileOffset: number): number | undefined {
    const seg = this.#segments.find((s) => fileOffset >= s.offset && fileOffset < s.offset + s.filesz);
    return seg ? fileOffset - seg.offset + seg.vaddr : undefined;
  }

  /** The function containing virtual address `address` (its size, or the next symbol, bounds it). */
  resolve(address: number): string | undefined {
    const found = lastAtOrBelow(this.#starts, address);
    if (found < 0) return undefined;
    const sized = this.#ends[found] > this.#starts[found];
    return !sized || address < this.#ends[found] ? this.#names[found] : undefined;
  }

  /** The function at a file offset of the mapped file. */
  resolveOffset(fileOffset: number): string | undefined {
    const address = this.addressOf(fileOffset);
    return address === undefined ? undefined : this.resolve(address);
  }
}
