/**
 * A forest's predictions from its flat trees, as scikit-learn makes them: class probabilities
 * are the mean of the trees' leaf distributions (summed in tree order), the class is their argmax
 * (first of equal), a value is the mean of the trees' values. `hardVote` is ml-random-forest's
 * rule instead (the most frequent tree class, the first to reach the top count).
 */
import type { FlatTree } from '../cart/tree.ts';
import { leafOf } from '../cart/tree.ts';
import { argmax } from './argmax.ts';

/** Mean leaf outputs per row: rows × valueWidth (class probabilities, or the value). */
export function forestMeans(trees: readonly FlatTree[], x: Float64Array, width: number): Float64Array {
  const rows = x.length / width;
  const w = trees[0]!.valueWidth;
  const out = new Float64Array(rows * w);
  // Tree by tree (its nodes stay in cache); every row still sums its trees in tree order.
  for (const tree of trees) {
    for (let r = 0; r < rows; r++) {
      const leaf = leafOf(tree, x, r * width) * w;
      for (let c = 0; c < w; c++) out[r * w + c] = out[r * w + c]! + tree.values[leaf + c]!;
    }
  }
  for (let a = 0; a < out.length; a++) out[a] = out[a]! / trees.length;
  return out;
}

export function forestClasses(trees: readonly FlatTree[], x: Float64Array, width: number): Int32Array {
  const p = forestMeans(trees, x, width);
  const w = trees[0]!.valueWidth;
  return Int32Array.from({ length: p.length / w }, (_, r) => argmax(p, r * w, w));
}

export function forestValues(trees: readonly FlatTree[], x: Float64Array, width: number): Float64Array {
  return forestMeans(trees, x, width);
}

/** ml-random-forest's classifier rule: each tree votes its leaf's argmax; the mode wins. */
export function hardVote(trees: readonly FlatTree[], x: Float64Array, width: number): Int32Array {
  const rows = x.length / width;
  const w = trees[0]!.valueWidth;
  const out = new Int32Array(rows);
  const votes = new Int32Array(w);
  for (let r = 0; r < rows; r++) {
    votes.fill(0);
    let top = 0;
    let winner = 0;
    for (const tree of trees) {
      const c = argmax(tree.values, leafOf(tree, x, r * width) * w, w);
      if (++votes[c]! > top) {
        top = votes[c]!;
        winner = c;
      }
    }
    out[r] = winner;
  }
  return out;
}
