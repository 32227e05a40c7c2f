/**
 * A random forest's predictor: every tree's nodes in one set of flat typed arrays (children as
 * absolute indices, one root per tree), walked tree after tree for each row. Predictions are
 * training's (training/forest/predict.ts): class probabilities are the mean of the trees' leaf
 * distributions summed in tree order, the class their argmax (first of equal), a value the mean
 * of the trees' values.
 */
import { argmax } from '../training/forest/argmax.ts';
import type { Predictor, TablesBase } from './predictor.ts';

export interface ForestTables extends TablesBase {
  kind: 'forest';
  /** Each tree's root node, in tree order. */
  roots: Int32Array;
}

export function forestPredictor(tables: ForestTables): Predictor {
  const { feature, threshold, left, right, values, roots } = tables;
  const width = tables.encoding.width;
  const c = tables.valueWidth;
  const count = roots.length;

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
    task: tables.task,
    classes: tables.classes,
    encoding: tables.encoding,
    width,
    nodeCount: feature.length,
    tables,
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
