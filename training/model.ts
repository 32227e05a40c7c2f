/**
 * A loaded artifact ready to predict: its encoding compiled and its tree (or forest) flattened.
 * Training uses it to evaluate candidates and champions; serving builds on it.
 */
import type { Artifact } from './artifact.ts';
import { fromMlCart, predictClasses, predictValues } from './cart/tree.ts';
import type { FlatTree } from './cart/tree.ts';
import type { CompiledEncoding } from './encoding.ts';
import { compileEncoding, encodeTable } from './encoding.ts';
import { fromMlRandomForest } from './forest/model-json.ts';
import { forestClasses, forestValues } from './forest/predict.ts';
import type { Table } from './table.ts';

export interface LoadedModel {
  artifact: Artifact;
  encoding: CompiledEncoding;
  /** The tree (a forest's first). */
  tree: FlatTree;
  /** Every tree in order: one for cart, the forest's for random-forest. */
  trees: FlatTree[];
}

export function loadModel(artifact: Artifact): LoadedModel {
  const classCount = artifact.task === 'classification' ? artifact.target.classes.length : 1;
  const encoding = compileEncoding(artifact.features);
  const trees = artifact.algorithm === 'random-forest' ? fromMlRandomForest(artifact.model, classCount, encoding.width) : [fromMlCart(artifact.model, classCount)];
  return { artifact, encoding, tree: trees[0]!, trees };
}

/** Class names (classification) or values (regression) for the given rows of a table. */
export function predictTable(model: LoadedModel, table: Table, rows: Int32Array): { classes?: Int32Array; values?: Float64Array } {
  const x = encodeTable(model.encoding, table, rows);
  const width = model.encoding.width;
  if (model.artifact.algorithm === 'random-forest') {
    return model.artifact.task === 'classification' ? { classes: forestClasses(model.trees, x, width) } : { values: forestValues(model.trees, x, width) };
  }
  return model.artifact.task === 'classification' ? { classes: predictClasses(model.tree, x, width) } : { values: predictValues(model.tree, x, width) };
}
