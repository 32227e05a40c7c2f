/**
 * Out-of-bag estimates: each training row is predicted by the trees whose sample left it out,
 * summed in tree order (so the result does not depend on which thread computed which rows), and
 * scored like scikit-learn's oob_score_: accuracy of the argmax, or R². Rows no tree left out are
 * not scored.
 */
import type { FlatTree } from '../cart/tree.ts';
import { leafOf } from '../cart/tree.ts';
import type { ForestData } from './forest-data.ts';
import { inBag } from './forest-data.ts';
import { argmax } from './argmax.ts';

export interface OobSums {
  /** (to − from) × valueWidth sums of the out-of-bag trees' leaf outputs. */
  sums: Float64Array;
  /** How many trees left each row out. */
  counts: Int32Array;
}

export function oobSums(trees: readonly FlatTree[], data: ForestData, from: number, to: number): OobSums {
  const w = trees[0]!.valueWidth;
  const sums = new Float64Array((to - from) * w);
  const counts = new Int32Array(to - from);
  for (let r = from; r < to; r++) {
    const at = (r - from) * w;
    for (let t = 0; t < trees.length; t++) {
      if (inBag(data, t, r)) continue;
      const tree = trees[t]!;
      const leaf = leafOf(tree, data.x, r * data.width) * w;
      for (let c = 0; c < w; c++) sums[at + c] = sums[at + c]! + tree.values[leaf + c]!;
      counts[r - from]!++;
    }
  }
  return { sums, counts };
}

/** Accuracy (classification) or R² (regression) of the out-of-bag predictions; null if no row has one. */
export function oobScore(oob: OobSums, data: ForestData, w: number): number | null {
  const { slot, value } = data.stats;
  let n = 0;
  if (data.kind === 'classification') {
    let correct = 0;
    for (let r = 0; r < oob.counts.length; r++) {
      if (oob.counts[r] === 0) continue;
      n++;
      if (argmax(oob.sums, r * w, w) === slot[r]) correct++;
    }
    return n > 0 ? correct / n : null;
  }
  let mean = 0;
  for (let r = 0; r < oob.counts.length; r++) {
    if (oob.counts[r] === 0) continue;
    n++;
    mean += value[r]!;
  }
  if (n === 0) return null;
  mean /= n;
  let se = 0;
  let tss = 0;
  for (let r = 0; r < oob.counts.length; r++) {
    const k = oob.counts[r]!;
    if (k === 0) continue;
    se += (value[r]! - oob.sums[r]! / k) ** 2;
    tss += (value[r]! - mean) ** 2;
  }
  return tss > 0 ? 1 - se / tss : 0;
}
