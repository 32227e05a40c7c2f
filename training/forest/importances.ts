/**
 * Feature importances as scikit-learn computes them (mean decrease in impurity): per tree, each
 * split adds its gain × rows to its feature, normalised to sum 1; the forest averages the trees
 * that split at all and normalises again.
 */
import type { FlatTree } from '../cart/tree.ts';

export function featureImportances(trees: readonly FlatTree[], width: number): Float64Array {
  const total = new Float64Array(width);
  const own = new Float64Array(width);
  let counted = 0;
  for (const tree of trees) {
    own.fill(0);
    let sum = 0;
    for (let i = 0; i < tree.nodeCount; i++) {
      const f = tree.feature[i]!;
      if (f < 0) continue;
      const v = tree.gain[i]! * tree.samples[i]!;
      own[f] = own[f]! + v;
      sum += v;
    }
    if (tree.nodeCount <= 1) continue;
    counted++;
    if (sum > 0) for (let f = 0; f < width; f++) total[f] = total[f]! + own[f]! / sum;
  }
  let sum = 0;
  for (let f = 0; f < width; f++) {
    total[f] = counted > 0 ? total[f]! / counted : 0;
    sum += total[f]!;
  }
  if (sum > 0) for (let f = 0; f < width; f++) total[f] = total[f]! / sum;
  return total;
}
