import { createRng } from '@vigil/core';
import { averagePathLength } from './average-path-length.js';
import { FlatForest, splitSlots } from './flat-forest.js';
import { sampleWithoutReplacement } from './sample-without-replacement.js';

/** How to grow a forest; all counts are already resolved against the training data. */
export interface GrowOptions {
  /** Number of trees t. */
  readonly nTrees: number;
  /** Subsample size ψ (≤ the number of rows). */
  readonly sampleSize: number;
  /** Features each tree may split on, drawn without replacement per tree (scikit-learn's `max_features`). */
  readonly featuresPerTree: number;
  /** 0: axis-parallel splits; k ≥ 1: hyperplanes with k + 1 non-zero weights (≤ featuresPerTree − 1). */
  readonly extensionLevel: number;
  /** Seed of the generator that draws subsamples, features and split points. */
  readonly seed: number;
}

/** Copies row `index` (its d values) into `out` starting at `offset`. */
export type RowReader = (index: number, out: Float64Array, offset: number) => void;

/**
 * Grows an isolation forest on `rowCount` complete rows of `nFeatures` values (Liu, Ting & Zhou 2008, Algorithms 1
 * and 2): each tree sees ψ rows drawn without replacement and splits until a node holds one row, its rows are all
 * equal, or the height limit ⌈log2 ψ⌉ is reached; a node of equal rows is fenced with cuts just below and above their
 * value, so that points that differ from them are isolated one level below it. An axis-parallel split picks a feature uniformly among those not
 * constant in the node and a threshold uniformly between its min and max; with `extensionLevel` > 0 a split is a
 * random hyperplane (normal ~ N(0, I) on extensionLevel + 1 features, intercept uniform in the node's bounding box;
 * Hariri, Carrasco Kind & Brunner 2018, "Extended Isolation Forest"). Only ψ rows are held at a time, so memory does
 * not grow with the training set.
 */
export function growForest(
  nFeatures: number,
  rowCount: number,
  readRow: RowReader,
  options: GrowOptions,
): FlatForest {
  const d = nFeatures;
  const { nTrees, sampleSize: psi, featuresPerTree: m, extensionLevel: ext } = options;
  const depth = Math.max(1, Math.ceil(Math.log2(psi)));
  const inner = splitSlots(depth);
  // Unused split slots pass everything left: NaN-free inputs never satisfy x ≥ +∞ (or w·x ≥ +∞).
  const split = new Float64Array(nTrees * inner).fill(Number.POSITIVE_INFINITY);
  const feature = ext === 0 ? new Int32Array(nTrees * inner) : undefined;
  const normal = ext > 0 ? new Float64Array(nTrees * inner * d) : undefined;
  const leaf = new Float64Array(nTrees * (inner + 1));

  const rng = createRng(options.seed);
  const sample = new Float64Array(psi * d);
  const order = new Int32Array(psi);
  const treeFeatures = Int32Array.from({ length: d }, (_, j) => j);
  const weightOrder = new Int32Array(m);
  const candidates = new Int32Array(d);
  const lo = new Float64Array(d);
  const hi = new Float64Array(d);
  const drawn = new Set<number>();
  let splitBase = 0;
  let leafBase = 0;

  // Min and max of the tree's features over the node's rows; false when every one of them is constant there.
  const measure = (from: number, to: number): boolean => {
    let varies = false;
    for (let k = 0; k < m; k++) {
      const f = treeFeatures[k];
      let a = Number.POSITIVE_INFINITY;
      let b = Number.NEGATIVE_INFINITY;
      for (let i = from; i < to; i++) {
        const v = sample[order[i] * d + f];
        if (v < a) a = v;
        if (v > b) b = v;
      }
      lo[f] = a;
      hi[f] = b;
      if (b > a) varies = true;
    }
    return varies;
  };

  // Moves the rows that go right (value ≥ cut) to the end of [from, to); returns the first right position.
  const partition = (from: number, to: number, goesRight: (row: number) => boolean): number => {
    let i = from;
    let j = to - 1;
    while (i <= j) {
      if (goesRight(order[i])) {
        const tmp = order[i];
        order[i] = order[j];
        order[j] = tmp;
        j--;
      } else {
        i++;
      }
    }
    return i;
  };

  const axisSplit = (slot: number): ((row: number) => boolean) => {
    let k = 0;
    for (let j = 0; j < m; j++) {
      const f = treeFeatures[j];
      if (hi[f] > lo[f]) candidates[k++] = f;
    }
    const q = candidates[rng.int(k)];
    const p = lo[q] + rng.next() * (hi[q] - lo[q]);
    feature![slot] = q;
    split[slot] = p;
    return (row) => sample[row * d + q] >= p;
  };

  const hyperplaneSplit = (slot: number): ((row: number) => boolean) => {
    const w = slot * d;
    for (let j = 0; j < m; j++) weightOrder[j] = treeFeatures[j];
    // Keep ext + 1 random weights of the tree's features; the rest stay 0.
    for (let j = 0; j <= ext; j++) {
      const k = j + rng.int(m - j);
      const tmp = weightOrder[j];
      weightOrder[j] = weightOrder[k];
      weightOrder[k] = tmp;
    }
    let offset = 0;
    for (let j = 0; j <= ext; j++) {
      const f = weightOrder[j];
      const weight = rng.normal();
      normal![w + f] = weight;
      offset += weight * (lo[f] + rng.next() * (hi[f] - lo[f]));
    }
    split[slot] = offset;
    return (row) => {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += normal![w + j] * sample[row * d + j];
      return dot >= offset;
    };
  };

  // The leaf under `node` (at level e) reached through pass-through splits down the left edge gets `value`.
  const setLeaf = (node: number, e: number, value: number): void => {
    let slot = node;
    for (let k = e; k < depth; k++) slot = 2 * slot + 1;
    leaf[leafBase + slot - inner] = value;
  };

  // A split at `node` on one feature: x[f] ≥ cut goes right.
  const cutAt = (node: number, f: number, cut: number): void => {
    const slot = splitBase + node;
    if (feature) feature[slot] = f;
    else normal![slot * d + f] = 1;
    split[slot] = cut;
  };

  // A node whose rows are all equal cannot be split (Algorithm 2 stops), yet a point that differs from them would be
  // isolated by one more cut. With levels to spare, one feature of the node's value v is fenced on both sides:
  // x < v and x > v end at depth e + 1, x = v keeps Algorithm 3's e + c(size). Without this, a forest grown on a
  // constant series scores every point alike, however far it departs.
  const fenceEqualRows = (node: number, from: number, e: number, size: number): void => {
    const f = treeFeatures[node % m];
    const v = sample[order[from] * d + f];
    const above = v + Math.max(Math.abs(v) * Number.EPSILON, Number.MIN_VALUE); // ≥ the next double after v
    const kept = e + averagePathLength(size);
    if (e + 2 <= depth) {
      cutAt(node, f, v);
      setLeaf(2 * node + 1, e + 1, e + 1);
      cutAt(2 * node + 2, f, above);
      setLeaf(2 * (2 * node + 2) + 1, e + 2, kept);
      setLeaf(2 * (2 * node + 2) + 2, e + 2, e + 1);
    } else if (node % 2 === 0) {
      cutAt(node, f, above);
      setLeaf(2 * node + 1, e + 1, kept);
      setLeaf(2 * node + 2, e + 1, e + 1);
    } else {
      cutAt(node, f, v);
      setLeaf(2 * node + 1, e + 1, e + 1);
      setLeaf(2 * node + 2, e + 1, kept);
    }
  };

  const grow = (node: number, from: number, to: number, e: number): void => {
    const size = to - from;
    if (e < depth && size > 1 && !measure(from, to)) {
      fenceEqualRows(node, from, e, size);
      return;
    }
    if (e >= depth || size <= 1) {
      // External node: its leaf is reached through pass-through splits down the left edge.
      setLeaf(node, e, e + averagePathLength(size));
      return;
    }
    const slot = splitBase + node;
    const goesRight = feature ? axisSplit(slot) : hyperplaneSplit(slot);
    const mid = partition(from, to, goesRight);
    grow(2 * node + 1, from, mid, e + 1);
    grow(2 * node + 2, mid, to, e + 1);
  };

  for (let t = 0; t < nTrees; t++) {
    sampleWithoutReplacement(rng, rowCount, psi, drawn);
    let k = 0;
    for (const row of drawn) readRow(row, sample, k++ * d);
    for (let i = 0; i < psi; i++) order[i] = i;
    for (let j = 0; j < m && m < d; j++) {
      const s = j + rng.int(d - j);
      const tmp = treeFeatures[j];
      treeFeatures[j] = treeFeatures[s];
      treeFeatures[s] = tmp;
    }
    splitBase = t * inner;
    leafBase = t * (inner + 1);
    grow(0, 0, psi, 0);
  }
  return new FlatForest(
    { nTrees, sampleSize: psi, depth, nFeatures: d, extensionLevel: ext },
    { split, feature, normal, leaf },
  );
}
