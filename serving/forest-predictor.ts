/**
 * A random forest's compiled predictor: every tree's nodes in one set of flat typed arrays
 * (children as absolute indices, one root per tree), walked tree after tree for each row.
 * Predictions are training's (training/forest/predict.ts): class probabilities are the mean of
 * the trees' leaf distributions summed in tree order, the class their argmax (first of equal),
 * a value the mean of the trees' values.
 */
import type { Artifact } from '../training/artifact.ts';
import { argmax } from '../training/forest/predict.ts';
import { loadModel } from '../training/model.ts';
import type { Predictor } from './predictor.ts';

export function compileForestPredictor(artifact: Artifact): Predictor {
  const { encoding, trees } = loadModel(artifact);
  const width = encoding.width;
  const classes = artifact.task === 'classification' ? artifact.target.classes : [];
  const c = trees[0]!.valueWidth;
  const total = trees.reduce((n, t) => n + t.nodeCount, 0);
  const feature = new Int32Array(total);
  const threshold = new Float64Array(total);
  const left = new Int32Array(total);
  const right = new Int32Array(total);
  const values = new Float64Array(total * c);
  const roots = new Int32Array(trees.length);
  let base = 0;
  trees.forEach((tree, t) => {
    roots[t] = base;
    for (let i = 0; i < tree.nodeCount; i++) {
      const f = tree.feature[i]!;
      if (f >= width) throw new RangeError(`tree ${t}, node ${i} tests input ${f} but rows have ${width} inputs`);
      feature[base + i] = f;
      threshold[base + i] = tree.threshold[i]!;
      left[base + i] = f >= 0 ? base + tree.left[i]! : -1;
      right[base + i] = f >= 0 ? base + tree.right[i]! : -1;
    }
    values.set(tree.values, base * c);
    base += tree.nodeCount;
  });
  const count = trees.length;

  /**
   * Mean leaf outputs of every tree for each row: rows × c. Tree by tree over all rows (one tree's
   * nodes stay in cache); each row still adds its trees in tree order, so the sums are the same.
   */
  const means = (x: Float64Array, rows: number): Float64Array => {
    const out = new Float64Array(rows * c);
    for (let t = 0; t < count; t++) {
      const root = roots[t]!;
      const rootFeature = feature[root]!;
      for (let r = 0, at = 0, row = 0; r < rows; r++, at += c, row += width) {
        let i = root;
        let f = rootFeature;
        while (f >= 0) {
          i = x[row + f]! < threshold[i]! ? left[i]! : right[i]!;
          f = feature[i]!;
        }
        const v = i * c;
        for (let k = 0; k < c; k++) out[at + k] = out[at + k]! + values[v + k]!;
      }
    }
    for (let a = 0; a < out.length; a++) out[a] = out[a]! / count;
    return out;
  };

  return {
    task: artifact.task,
    classes,
    encoding,
    width,
    nodeCount: total,
    classify(x, rows) {
      const p = means(x, rows);
      const out = new Int32Array(rows);
      for (let r = 0; r < rows; r++) out[r] = argmax(p, r * c, c);
      return out;
    },
    regress: means,
    probabilities: means,
  };
}
