import { VigilInputError } from '@vigil/core';
import { averagePathLength } from './average-path-length.js';

/** The dimensions of a forest; everything else about its memory layout follows from them. */
export interface ForestShape {
  /** Number of trees t. */
  readonly nTrees: number;
  /** Subsample size ψ each tree was grown on. */
  readonly sampleSize: number;
  /** Height limit ⌈log2 ψ⌉: every tree is stored as a complete binary tree of this many split levels. */
  readonly depth: number;
  /** Number of input features d. */
  readonly nFeatures: number;
  /** 0 for axis-parallel splits (Liu et al. 2008); k > 0 for hyperplanes over k + 1 features (Hariri et al. 2018). */
  readonly extensionLevel: number;
}

/** Serialised {@link FlatForest}: the shape and its typed arrays as base64 of their little-endian bytes. */
export interface ForestState extends ForestShape {
  readonly split: string;
  readonly feature?: string;
  readonly normal?: string;
  readonly leaf: string;
}

/** The typed arrays of a forest; see {@link FlatForest} for the layout. */
export interface ForestArrays {
  readonly split: Float64Array;
  readonly feature?: Int32Array;
  readonly normal?: Float64Array;
  readonly leaf: Float64Array;
}

// Rows are copied into a small row-major block before traversal so that the inner loop reads one contiguous buffer
// and scoring allocates nothing per row.
const BLOCK_ROWS = 256;

/** Number of internal (split) slots of one stored tree. */
export function splitSlots(depth: number): number {
  return (1 << depth) - 1;
}

/**
 * An isolation forest stored flat: every tree is a complete binary tree in heap order (children of slot i at 2i + 1
 * and 2i + 2) with `depth` split levels, so a path is always `depth` steps and needs no per-node objects or child
 * pointers. A branch that isolated its points early (Liu et al. 2008, Algorithm 2) continues as a chain of
 * pass-through splits (threshold +∞: always left) ending in the leaf that holds `e + c(size)`, the path length of
 * Algorithm 3 with the c(n) adjustment already added. Scoring is then branch-free in the tree shape.
 *
 * Per tree: `split` (threshold, or hyperplane offset) per split slot, `feature` per split slot (axis-parallel) or
 * `normal` (d weights per split slot, extended), and `leaf` per leaf slot (2^depth).
 */
export class FlatForest {
  readonly shape: ForestShape;
  readonly #split: Float64Array;
  readonly #feature: Int32Array | undefined;
  readonly #normal: Float64Array | undefined;
  readonly #leaf: Float64Array;
  // Divides the summed path length: t · c(ψ), so that raw = 2^(−E[h(x)] / c(ψ)).
  readonly #scale: number;
  readonly #rows: Float64Array;
  readonly #sums: Float64Array;
  readonly #missing: Uint8Array;
  readonly #block: Block;
  readonly #tree: TreeSlots;

  constructor(shape: ForestShape, arrays: ForestArrays) {
    const inner = splitSlots(shape.depth) * shape.nTrees;
    const leaves = (1 << shape.depth) * shape.nTrees;
    const ok =
      arrays.split.length === inner &&
      arrays.leaf.length === leaves &&
      (shape.extensionLevel === 0
        ? arrays.feature?.length === inner
        : arrays.normal?.length === inner * shape.nFeatures);
    if (!ok) {
      throw new VigilInputError(
        'INVALID_SNAPSHOT',
        `Forest arrays do not match the shape ${JSON.stringify(shape)}; the snapshot is corrupt.`,
        'state.forest',
      );
    }
    this.shape = shape;
    this.#split = arrays.split;
    this.#feature = arrays.feature;
    this.#normal = arrays.normal;
    this.#leaf = arrays.leaf;
    this.#scale = shape.nTrees * averagePathLength(shape.sampleSize);
    this.#rows = new Float64Array(BLOCK_ROWS * shape.nFeatures);
    this.#sums = new Float64Array(BLOCK_ROWS);
    this.#missing = new Uint8Array(BLOCK_ROWS);
    this.#block = { rows: this.#rows, d: shape.nFeatures, sums: this.#sums };
    this.#tree = { depth: shape.depth, base: 0, toLeaf: 0 };
  }

  /**
   * Writes the raw anomaly score s(x, ψ) = 2^(−E[h(x)] / c(ψ)) (Liu et al. 2008, eq. 2) of every row of `columns`
   * (column-major, one array per feature) into `out`; NaN for rows with a missing value.
   */
  scoreColumns(columns: readonly ArrayLike<number>[], out: Float64Array): void {
    const d = this.shape.nFeatures;
    const n = out.length;
    const rows = this.#rows;
    const missing = this.#missing;
    for (let start = 0; start < n; start += BLOCK_ROWS) {
      const count = Math.min(BLOCK_ROWS, n - start);
      missing.fill(0, 0, count);
      for (let j = 0; j < d; j++) {
        const col = columns[j];
        for (let r = 0; r < count; r++) {
          const v = col[start + r];
          rows[r * d + j] = v;
          if (Number.isNaN(v)) missing[r] = 1;
        }
      }
      this.#pathSums(count);
      for (let r = 0; r < count; r++) {
        out[start + r] = missing[r] ? Number.NaN : 2 ** (-this.#sums[r] / this.#scale);
      }
    }
  }

  /** The raw anomaly score of one row of d values (NaN when a value is missing). */
  scoreRow(row: ArrayLike<number>): number {
    const d = this.shape.nFeatures;
    for (let j = 0; j < d; j++) {
      const v = row[j];
      if (Number.isNaN(v)) return Number.NaN;
      this.#rows[j] = v;
    }
    this.#pathSums(1);
    return 2 ** (-this.#sums[0] / this.#scale);
  }

  // Sum over trees of the adjusted path length of each of the first `count` rows of the block.
  #pathSums(count: number): void {
    const { nTrees, depth } = this.shape;
    const inner = splitSlots(depth);
    const tree = this.#tree;
    this.#sums.fill(0, 0, count);
    for (let t = 0; t < nTrees; t++) {
      // Leaf i of tree t is stored at t·(inner + 1) + i; a descent of tree t ends at slot t·inner + inner + i.
      tree.base = t * inner;
      tree.toLeaf = t * (inner + 1) - inner - tree.base;
      if (this.#feature) descendAxis(this.#block, count, tree, this.#feature, this.#split, this.#leaf);
      else descendHyperplane(this.#block, count, tree, this.#normal!, this.#split, this.#leaf);
    }
  }

  /** The serialisable state (typed arrays as base64, bit-exact including ±Infinity). */
  toJSON(): ForestState {
    return {
      ...this.shape,
      split: toBase64(this.#split),
      ...(this.#feature ? { feature: toBase64(this.#feature) } : {}),
      ...(this.#normal ? { normal: toBase64(this.#normal) } : {}),
      leaf: toBase64(this.#leaf),
    };
  }

  /**
   * Restores a forest from {@link FlatForest.toJSON} output.
   * @throws {VigilInputError} `INVALID_SNAPSHOT` when the state is malformed.
   */
  static fromJSON(state: ForestState): FlatForest {
    const shapeOk =
      state !== null &&
      typeof state === 'object' &&
      [state.nTrees, state.sampleSize, state.depth, state.nFeatures, state.extensionLevel].every(
        (v) => Number.isInteger(v) && v >= 0,
      ) &&
      state.depth >= 1 &&
      state.depth <= 24 &&
      typeof state.split === 'string' &&
      typeof state.leaf === 'string';
    if (!shapeOk) {
      throw new VigilInputError('INVALID_SNAPSHOT', 'Malformed forest state in snapshot.', 'state.forest');
    }
    const shape: ForestShape = {
      nTrees: state.nTrees,
      sampleSize: state.sampleSize,
      depth: state.depth,
      nFeatures: state.nFeatures,
      extensionLevel: state.extensionLevel,
    };
    return new FlatForest(shape, {
      split: new Float64Array(fromBase64(state.split, 8)),
      feature: typeof state.feature === 'string' ? new Int32Array(fromBase64(state.feature, 4)) : undefined,
      normal: typeof state.normal === 'string' ? new Float64Array(fromBase64(state.normal, 8)) : undefined,
      leaf: new Float64Array(fromBase64(state.leaf, 8)),
    });
  }
}

/** The scratch block: rows of `d` values, row-major, and their running path-length sums. */
interface Block {
  readonly rows: Float64Array;
  readonly d: number;
  readonly sums: Float64Array;
}

/** Where one tree lives in the flat arrays: its first split slot, and the offset from a final slot to its leaf. */
interface TreeSlots {
  readonly depth: number;
  base: number;
  toLeaf: number;
}

// Eight rows descend a tree in lockstep: their paths are independent, so the CPU overlaps the eight chains of
// dependent loads, and the step is branch-free (a comparison turned into 0/1) because a random split's outcome
// cannot be predicted. `g` is the global split slot: child slot = 2g + 1 − base (+1 to go right).
function descendAxis(
  block: Block,
  count: number,
  tree: TreeSlots,
  feature: Int32Array,
  split: Float64Array,
  leaf: Float64Array,
): void {
  const { rows, d, sums } = block;
  const { depth, base, toLeaf } = tree;
  const c1 = 1 - base;
  const lanes = count - (count % 8);
  for (let r = 0; r < lanes; r += 8) {
    const o0 = r * d;
    const o1 = o0 + d;
    const o2 = o1 + d;
    const o3 = o2 + d;
    const o4 = o3 + d;
    const o5 = o4 + d;
    const o6 = o5 + d;
    const o7 = o6 + d;
    let g0 = base;
    let g1 = base;
    let g2 = base;
    let g3 = base;
    let g4 = base;
    let g5 = base;
    let g6 = base;
    let g7 = base;
    for (let k = 0; k < depth; k++) {
      g0 = 2 * g0 + c1 + (((rows[o0 + feature[g0]] >= split[g0]) as unknown as number) | 0);
      g1 = 2 * g1 + c1 + (((rows[o1 + feature[g1]] >= split[g1]) as unknown as number) | 0);
      g2 = 2 * g2 + c1 + (((rows[o2 + feature[g2]] >= split[g2]) as unknown as number) | 0);
      g3 = 2 * g3 + c1 + (((rows[o3 + feature[g3]] >= split[g3]) as unknown as number) | 0);
      g4 = 2 * g4 + c1 + (((rows[o4 + feature[g4]] >= split[g4]) as unknown as number) | 0);
      g5 = 2 * g5 + c1 + (((rows[o5 + feature[g5]] >= split[g5]) as unknown as number) | 0);
      g6 = 2 * g6 + c1 + (((rows[o6 + feature[g6]] >= split[g6]) as unknown as number) | 0);
      g7 = 2 * g7 + c1 + (((rows[o7 + feature[g7]] >= split[g7]) as unknown as number) | 0);
    }
    sums[r] += leaf[toLeaf + g0];
    sums[r + 1] += leaf[toLeaf + g1];
    sums[r + 2] += leaf[toLeaf + g2];
    sums[r + 3] += leaf[toLeaf + g3];
    sums[r + 4] += leaf[toLeaf + g4];
    sums[r + 5] += leaf[toLeaf + g5];
    sums[r + 6] += leaf[toLeaf + g6];
    sums[r + 7] += leaf[toLeaf + g7];
  }
  for (let r = lanes; r < count; r++) {
    const o = r * d;
    let g = base;
    for (let k = 0; k < depth; k++)
      g = 2 * g + c1 + (((rows[o + feature[g]] >= split[g]) as unknown as number) | 0);
    sums[r] += leaf[toLeaf + g];
  }
}

// As descendAxis, with four lanes: each step is a d-term dot product, so fewer lanes already fill the CPU.
function descendHyperplane(
  block: Block,
  count: number,
  tree: TreeSlots,
  normal: Float64Array,
  split: Float64Array,
  leaf: Float64Array,
): void {
  const { rows, d, sums } = block;
  const { depth, base, toLeaf } = tree;
  const c1 = 1 - base;
  const lanes = count - (count % 4);
  for (let r = 0; r < lanes; r += 4) {
    const o0 = r * d;
    const o1 = o0 + d;
    const o2 = o1 + d;
    const o3 = o2 + d;
    let g0 = base;
    let g1 = base;
    let g2 = base;
    let g3 = base;
    for (let k = 0; k < depth; k++) {
      const w0 = g0 * d;
      const w1 = g1 * d;
      const w2 = g2 * d;
      const w3 = g3 * d;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let j = 0; j < d; j++) {
        s0 += normal[w0 + j] * rows[o0 + j];
        s1 += normal[w1 + j] * rows[o1 + j];
        s2 += normal[w2 + j] * rows[o2 + j];
        s3 += normal[w3 + j] * rows[o3 + j];
      }
      g0 = 2 * g0 + c1 + (((s0 >= split[g0]) as unknown as number) | 0);
      g1 = 2 * g1 + c1 + (((s1 >= split[g1]) as unknown as number) | 0);
      g2 = 2 * g2 + c1 + (((s2 >= split[g2]) as unknown as number) | 0);
      g3 = 2 * g3 + c1 + (((s3 >= split[g3]) as unknown as number) | 0);
    }
    sums[r] += leaf[toLeaf + g0];
    sums[r + 1] += leaf[toLeaf + g1];
    sums[r + 2] += leaf[toLeaf + g2];
    sums[r + 3] += leaf[toLeaf + g3];
  }
  for (let r = lanes; r < count; r++) {
    const o = r * d;
    let g = base;
    for (let k = 0; k < depth; k++) {
      const w = g * d;
      let dot = 0;
      for (let j = 0; j < d; j++) dot += normal[w + j] * rows[o + j];
      g = 2 * g + c1 + (((dot >= split[g]) as unknown as number) | 0);
    }
    sums[r] += leaf[toLeaf + g];
  }
}

/** Base64 of a typed array's bytes (little-endian on every platform Node supports). */
export function toBase64(a: Float64Array | Int32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

/** The bytes of a {@link toBase64} string in a fresh, aligned buffer. */
export function fromBase64(text: string, elementBytes: number): ArrayBuffer {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.byteLength % elementBytes !== 0) {
    throw new VigilInputError(
      'INVALID_SNAPSHOT',
      'A typed array in the snapshot has a truncated element.',
      'state',
    );
  }
  const out = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(out).set(bytes);
  return out;
}
