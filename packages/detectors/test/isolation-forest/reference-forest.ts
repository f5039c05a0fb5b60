/**
 * A slow, obviously-correct Isolation Forest written straight from the pseudo-code of Liu, Ting & Zhou 2008
 * (Algorithms 1–3): one object per node, recursion, no layout tricks. Tests and the benchmark compare the flat
 * implementation against it.
 */
import { createRng } from '@vigil/core';

type Node =
  | { readonly kind: 'external'; readonly size: number }
  | {
      readonly kind: 'internal';
      readonly q: number;
      readonly p: number;
      readonly left: Node;
      readonly right: Node;
    };

function c(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  let harmonic = 0;
  // H(n − 1) summed exactly instead of ln(n − 1) + γ: the reference must not share the approximation.
  for (let i = 1; i <= n - 1; i++) harmonic += 1 / i;
  return 2 * harmonic - (2 * (n - 1)) / n;
}

function iTree(rows: number[][], e: number, l: number, rng: ReturnType<typeof createRng>): Node {
  if (e >= l || rows.length <= 1) return { kind: 'external', size: rows.length };
  const d = rows[0].length;
  const varying: number[] = [];
  for (let q = 0; q < d; q++) {
    const values = rows.map((r) => r[q]);
    if (Math.max(...values) > Math.min(...values)) varying.push(q);
  }
  if (varying.length === 0) return { kind: 'external', size: rows.length };
  const q = varying[rng.int(varying.length)];
  const values = rows.map((r) => r[q]);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const p = min + rng.next() * (max - min);
  return {
    kind: 'internal',
    q,
    p,
    left: iTree(
      rows.filter((r) => r[q] < p),
      e + 1,
      l,
      rng,
    ),
    right: iTree(
      rows.filter((r) => r[q] >= p),
      e + 1,
      l,
      rng,
    ),
  };
}

function pathLength(x: readonly number[], node: Node, e: number): number {
  if (node.kind === 'external') return e + c(node.size);
  return pathLength(x, x[node.q] < node.p ? node.left : node.right, e + 1);
}

/** Anomaly scores s(x, ψ) = 2^(−E[h(x)] / c(ψ)) of `test` rows from a forest grown on `train` rows. */
export function referenceIsolationForest(
  train: number[][],
  test: number[][],
  options: { nTrees?: number; sampleSize?: number; seed?: number } = {},
): number[] {
  const { nTrees = 100, seed = 7 } = options;
  const psi = Math.min(options.sampleSize ?? 256, train.length);
  const rng = createRng(seed);
  const l = Math.ceil(Math.log2(psi));
  const trees: Node[] = [];
  for (let t = 0; t < nTrees; t++) {
    const sample = rng.shuffle([...train]).slice(0, psi);
    trees.push(iTree(sample, 0, l, rng));
  }
  return test.map((x) => {
    const mean = trees.reduce((sum, tree) => sum + pathLength(x, tree, 0), 0) / nTrees;
    return 2 ** (-mean / c(psi));
  });
}
