/**
 * A loaded artifact ready to predict: its encoding compiled and its tree flattened. Training
 * uses it to evaluate candidates and champions; serving builds on it.
 */
import type { Artifact } from './artifact.ts';
import { fromMlCart, predictClasses, predictValues } from './cart/tree.ts';
import type { FlatTree } from './cart/tree.ts';
import type { CompiledEncoding } from './encoding.ts';
import { compileEncoding, encodeTable } from './encoding.ts';
import type { Table } from './table.ts';

export interface LoadedModel {
  artifact: Artifact;
  encoding: CompiledEncoding;
  tree: FlatTree;
}

export function loadModel(artifact: Artifact): LoadedModel {
  const classCount = artifact.task === 'classification' ? artifact.target.classes.length : 1;
  return { artifact, encoding: compileEncoding(artifact.features), tree: fromMlCart(artifact.model, classCount) };
}

/** Class names (classification) or values (regression) for the given rows of a table. */
export function predictTable(model: LoadedModel, table: Table, rows: Int32Array): { classes?: Int32Array; values?: Float64Array } {
  const x = encodeTable(model.encoding, table, rows);
  return model.artifact.task === 'classification'
    ? { classes: predictClasses(model.tree, x, model.encoding.width) }
    : { values: predictValues(model.tree, x, model.encoding.width) };
}
