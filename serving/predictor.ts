/**
 * Predictors: an artifact's tree (or forest) as flat typed arrays, walked by one tight loop per
 * row.
 *
 * The arrays are `PredictorTables`: data only, no functions, so a cluster primary compiles each
 * artifact once (`compilePredictor`, compile-predictor.ts) and hands its workers the tables
 * (structured clone), which `predictorFrom` turns back into the walking functions. A worker then
 * parses no artifact JSON: a 100-tree forest's parse and flattening used to cost each worker
 * about 5 MB of RSS and an optimizing compile at start. Rows come in the row-major encoded layout
 * training uses (`rows × encoding.width`), which `encodeValue` writes.
 */
import type { Artifact } from '../training/artifact.ts';
import type { CompiledEncoding } from '../training/encoding.ts';
import type { ForestTables } from './forest-predictor.ts';
import { forestPredictor } from './forest-predictor.ts';

/** What every predictor's tables hold: the nodes of its tree, or of every tree of a forest. */
export interface TablesBase {
  task: Artifact['task'];
  /** Class names in output order (classification); empty for regression. */
  classes: readonly string[];
  encoding: CompiledEncoding;
  /** Per node: the input it tests, or -1 for a leaf. */
  feature: Int32Array;
  threshold: Float64Array;
  /** Per node: its children's indices (-1 for a leaf). */
  left: Int32Array;
  right: Int32Array;
  /** Per node: `valueWidth` values (a leaf's class distribution, or its value). */
  values: Float64Array;
  valueWidth: number;
}

/** A single tree, with what each leaf predicts computed once at compile time. */
export interface TreeTables extends TablesBase {
  kind: 'tree';
  /** Per node: the class its leaf predicts (argmax, first of equal probabilities, as ml-cart chooses). */
  leafClass: Int32Array;
  /** Per node: its leaf's value (regression). */
  leafValue: Float64Array;
}

export type PredictorTables = TreeTables | ForestTables;

export interface Predictor {
  task: Artifact['task'];
  /** Class names in output order (classification); empty for regression. */
  classes: readonly string[];
  encoding: CompiledEncoding;
  /** Encoded inputs per row. */
  width: number;
  /** Nodes of the tree, or of every tree of a forest. */
  nodeCount: number;
  /** What the functions walk (what a cluster primary sends its workers). */
  tables: PredictorTables;
  /** The leaf node each row ends in (a single tree's predictor only). */
  leaves?(x: Float64Array, rows: number): Int32Array;
  /** Predicted class index per row (classification). */
  classify(x: Float64Array, rows: number): Int32Array;
  /** Predicted value per row (regression). */
  regress(x: Float64Array, rows: number): Float64Array;
  /** Class probabilities, row-major `rows × classes.length` (classification). */
  probabilities(x: Float64Array, rows: number): Float64Array;
}

/** The predictor that walks `tables` (compiled by `compilePredictor`, here or in a cluster primary). */
export function predictorFrom(tables: PredictorTables): Predictor {
  return tables.kind === 'forest' ? forestPredictor(tables) : treePredictor(tables);
}

function treePredictor(tables: TreeTables): Predictor {
  const { feature, threshold, left, right, values, leafClass, leafValue } = tables;
  const c = tables.valueWidth;
  const width = tables.encoding.width;

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
    task: tables.task,
    classes: tables.classes,
    encoding: tables.encoding,
    width,
    nodeCount: feature.length,
    tables,
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
