/**
 * Compiling an artifact into its predictor's tables (serving/predictor.ts): training's
 * `loadModel` (the compiled encoding and the flat trees), each node's input checked against the
 * encoding's width, and, for a single tree, what each leaf predicts (the argmax of its
 * distribution, first of equal probabilities, as ml-cart and `predictClasses` choose), so
 * predicting a class is a walk plus a lookup. A forest's trees go into one set of arrays, children
 * as absolute indices.
 */
import type { Artifact } from '../training/artifact.ts';
import { argmax } from '../training/forest/argmax.ts';
import { loadModel } from '../training/model.ts';
import type { ForestTables } from './forest-predictor.ts';
import type { Predictor, PredictorTables, TreeTables } from './predictor.ts';
import { predictorFrom } from './predictor.ts';

export function compilePredictor(artifact: Artifact): Predictor {
  return predictorFrom(predictorTables(artifact));
}

function predictorTables(artifact: Artifact): PredictorTables {
  return artifact.algorithm === 'random-forest' ? forestTables(artifact) : treeTables(artifact);
}

function treeTables(artifact: Artifact): TreeTables {
  const { encoding, tree } = loadModel(artifact);
  const n = tree.nodeCount;
  const { feature, values } = tree;
  const c = tree.valueWidth;
  const width = encoding.width;
  const leafClass = new Int32Array(n);
  const leafValue = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const f = feature[i]!;
    if (f >= width) throw new RangeError(`node ${i} tests input ${f} but rows have ${width} inputs`);
    if (f >= 0) continue;
    if (artifact.task === 'classification') leafClass[i] = argmax(values, i * c, c);
    else leafValue[i] = values[i]!;
  }
  return {
    kind: 'tree',
    task: artifact.task,
    classes: artifact.task === 'classification' ? artifact.target.classes : [],
    encoding,
    feature,
    threshold: tree.threshold,
    left: tree.left,
    right: tree.right,
    values,
    valueWidth: c,
    leafClass,
    leafValue,
  };
}

function forestTables(artifact: Artifact): ForestTables {
  const { encoding, trees } = loadModel(artifact);
  const width = encoding.width;
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
  return { kind: 'forest', task: artifact.task, classes: artifact.task === 'classification' ? artifact.target.classes : [], encoding, feature, threshold, left, right, values, valueWidth: c, roots };
}
