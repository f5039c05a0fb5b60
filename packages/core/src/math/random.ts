import { VigilInputError } from '../errors.js';

/** A seeded pseudo-random generator; every random choice in Vigil goes through one. */
export interface Rng {
  /** Uniform in [0, 1) with 32 bits of randomness. */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal deviate (mean 0, variance 1). */
  normal(): number;
  /** Shuffles `a` in place (Fisher–Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T;
  /** The generator's four 32-bit state words, to resume it later with `createRng(state)`. */
  state(): [number, number, number, number];
}

// SplitMix32 spreads a small integer seed over the 128-bit state so that seeds 1 and 2 give unrelated streams.
function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * Creates a seeded generator: xoshiro128** (Blackman & Vigna 2018, "Scrambled linear pseudorandom number
 * generators"), period 2^128 − 1. The same seed gives the same sequence on every platform.
 *
 * @param seed - a 32-bit integer seed, or a saved `state()`.
 * @throws {VigilInputError} `INVALID_OPTION` when the seed is not an integer (or the state not four integers).
 * @example
 * const rng = createRng(42);
 * rng.next(); // same value on every run
 */
export function createRng(seed: number | readonly number[] = 0): Rng {
  let a: number;
  let b: number;
  let c: number;
  let d: number;
  if (typeof seed === 'number') {
    if (!Number.isInteger(seed)) {
      throw new VigilInputError('INVALID_OPTION', `seed must be an integer; got ${seed}.`, 'seed');
    }
    const sm = splitmix32(seed);
    a = sm();
    b = sm();
    c = sm();
    d = sm();
  } else {
    if (seed.length !== 4 || !seed.every((w) => Number.isInteger(w))) {
      throw new VigilInputError('INVALID_OPTION', 'A saved generator state is four 32-bit integers.', 'seed');
    }
    [a, b, c, d] = seed.map((w) => w >>> 0);
  }
  if ((a | b | c | d) === 0) a = 1;
  let spare = Number.NaN;

  const nextU32 = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };

  const rng: Rng = {
    next: () => nextU32() / 4294967296,
    int: (n) => Math.floor((nextU32() / 4294967296) * n),
    normal: () => {
      if (!Number.isNaN(spare)) {
        const s = spare;
        spare = Number.NaN;
        return s;
      }
      // Marsaglia's polar method: two deviates per accepted pair.
      let u: number;
      let v: number;
      let s: number;
      do {
        u = 2 * rng.next() - 1;
        v = 2 * rng.next() - 1;
        s = u * u + v * v;
      } while (s >= 1 || s === 0);
      const m = Math.sqrt((-2 * Math.log(s)) / s);
      spare = v * m;
      return u * m;
    },
    shuffle: (arr) => {
      for (let i = arr.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        const tmp = arr[i];
        arr[i] = arr[j];
        arr[j] = tmp;
      }
      return arr;
    },
    state: () => [a >>> 0, b >>> 0, c >>> 0, d >>> 0],
  };
  return rng;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
