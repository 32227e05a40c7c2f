/**
 * Compiled predictors: an artifact's tree as flat typed arrays, walked by one tight loop per row.
 *
 * Built on training's `loadModel` (the compiled encoding and `fromMlCart`'s flat tree), then
 * specialised for serving: each leaf's predicted class (argmax of its distribution, first of equal
 * probabilities, as ml-cart and `predictClasses` choose) is computed once at load, so predicting a
 * class is a walk plus a lookup. Rows come in the row-major encoded layout training uses
 * (`rows × encoding.width`), which `encodeValue` writes.
 */
import type { Artifact } from '../training/artifact.ts';
import type { CompiledEncoding } from '../training/encoding.ts';
import { loadModel } from '../training/model.ts';
import { compileForestPredictor } from './forest-predictor.ts';

export interface Predictor {
  task: Artifact['task'];
  /** Class names in output order (classification); empty for regression. */
  classes: readonly string[];
  encoding: CompiledEncoding;
  /** Encoded inputs per row. */
  width: number;
  /** Nodes of the tree, or of every tree of a forest. */
  nodeCount: number;
  /** The leaf node each row ends in (a single tree's predictor only). */
  leaves?(x: Float64Array, rows: number): Int32Array;
  /** Predicted class index per row (classification). */
  classify(x: Float64Array, rows: number): Int32Array;
  /** Predicted value per row (regression). */
  regress(x: Float64Array, rows: number): Float64Array;
  /** Class probabilities, row-major `rows × classes.length` (classification). */
  probabilities(x: Float64Array, rows: number): Float64Array;
}

export function compilePredictor(artifact: Artifact): Predictor {
  if (artifact.algorithm === 'random-forest') return compileForestPredictor(artifact);
  const { encoding, tree } = loadModel(artifact);
  const n = tree.nodeCount;
  const feature = tree.feature;
  const threshold = tree.threshold;
  const left = tree.left;
  const right = tree.right;
  const values = tree.values;
  const classes = artifact.task === 'classification' ? artifact.target.classes : [];
  const c = tree.valueWidth;
  const width = encoding.width;

  for (let i = 0; i < n; i++) {
    if (feature[i]! >= width) throw new RangeError(`node ${i} tests input ${feature[i]} but rows have ${width} inputs`);
  }

  // Per node: the class its leaf predicts (argmax, first of equal), and its value (regression).
  const leafClass = new Int32Array(n);
  const leafValue = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (feature[i]! >= 0) continue;
    if (artifact.task === 'classification') {
      let best = 0;
      for (let k = 1; k < c; k++) if (values[i * c + k]! > values[i * c + best]!) best = k;
      leafClass[i] = best;
    } else {
      leafValue[i] = values[i]!;
    }
  }

  const leaves = (x: Float64Array, rows: number): Int32Array => {
    const out = new Int32Array(rows);
    for (let r = 0, base = 0; r < rows; r++, base += width) {
      let i = 0;
      let f = feature[0]!;
      while (f >= 0) {
        i = x[base + f]! < threshold[i]! ? left[i]! : right[i]!;
        f = feature[i]!;
      }
      out[r] = i;
    }
    return out;
  };

  return {
    task: artifact.task,
    classes,
    encoding,
    width,
    nodeCount: n,
    leaves,
    // One walk (`leaves`), then a lookup of what each leaf predicts.
    classify: (x, rows) => leaves(x, rows).map((i) => leafClass[i]!),
    regress: (x, rows) => Float64Array.from(leaves(x, rows), (i) => leafValue[i]!),
    probabilities(x, rows) {
      const at = leaves(x, rows);
      const out = new Float64Array(rows * c);
      for (let r = 0; r < rows; r++) out.set(values.subarray(at[r]! * c, at[r]! * c + c), r * c);
      return out;
    },
  };
}
