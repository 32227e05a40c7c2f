/**
 * A trained tree as flat typed arrays (what the trainer builds and predictors walk), and its
 * conversion to and from ml-cart's `toJSON()` form, which is the format stored in artifacts:
 * `DecisionTreeClassifier.load` / `DecisionTreeRegression.load` read it and predict the same.
 *
 * Split rule (ml-cart's): `x[feature] < threshold` goes left, anything else goes right.
 */
import { z } from 'zod';

export interface FlatTree {
  nodeCount: number;
  /** Encoded input column tested at each node; -1 for a leaf. */
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  /** Impurity decrease of the split (gini gain or variance reduction), 0 at leaves. */
  gain: Float64Array;
  samples: Int32Array;
  /** Leaf outputs, `valueWidth` per node: class probabilities, or the mean for regression. */
  values: Float64Array;
  valueWidth: number;
}

export type TreeKind = 'classifier' | 'regression';

/** Options ml-cart records in its JSON (and reads back on load). */
export interface MlCartOptions {
  gainFunction: 'gini' | 'regression';
  splitFunction: 'mean';
  minNumSamples: number;
  maxDepth: number | null;
  gainThreshold: number;
  kind: TreeKind;
}

type MlCartNode = { distribution: number[][] | number } | MlCartSplit;
interface MlCartSplit {
  splitColumn: number;
  splitValue: number;
  gain: number;
  numberSamples: number;
  left: MlCartNode;
  right: MlCartNode;
}

const mlCartNodeSchema: z.ZodType<MlCartNode> = z.lazy(() =>
  z.union([
    z.object({ distribution: z.union([z.array(z.array(z.number())).length(1), z.number()]) }),
    z.object({
      splitColumn: z.int().min(0),
      splitValue: z.number(),
      gain: z.number(),
      numberSamples: z.int().min(0),
      left: mlCartNodeSchema,
      right: mlCartNodeSchema,
    }),
  ]),
);

export const mlCartModelSchema = z.object({
  name: z.enum(['DTClassifier', 'DTRegression']),
  options: z.object({
    gainFunction: z.enum(['gini', 'regression']),
    splitFunction: z.literal('mean'),
    minNumSamples: z.int(),
    maxDepth: z.int().nullable(),
    gainThreshold: z.number(),
    kind: z.enum(['classifier', 'regression']),
  }),
  root: mlCartNodeSchema,
});
export type MlCartModel = z.infer<typeof mlCartModelSchema>;

/** The ml-cart JSON of a flat tree (plain data: JSON.stringify gives what `load` reads). */
export function toMlCart(tree: FlatTree, options: MlCartOptions): MlCartModel {
  const build = (i: number): MlCartNode => {
    if (tree.feature[i]! < 0) {
      const w = tree.valueWidth;
      return options.kind === 'classifier'
        ? { distribution: [Array.from(tree.values.subarray(i * w, i * w + w))] }
        : { distribution: tree.values[i]! };
    }
    return {
      splitColumn: tree.feature[i]!,
      splitValue: tree.threshold[i]!,
      gain: tree.gain[i]!,
      numberSamples: tree.samples[i]!,
      left: build(tree.left[i]!),
      right: build(tree.right[i]!),
    };
  };
  return { name: options.kind === 'classifier' ? 'DTClassifier' : 'DTRegression', options, root: build(0) };
}

/**
 * Flattens an ml-cart JSON tree, in preorder. `classCount` pads shorter distributions
 * (ml-cart's own leaves only list classes up to the highest one seen in the node).
 */
export function fromMlCart(model: MlCartModel, classCount = 1): FlatTree {
  const nodes: MlCartNode[] = [];
  const stack: MlCartNode[] = [model.root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    nodes.push(node);
    if (!('distribution' in node)) stack.push(node.right, node.left);
  }
  const n = nodes.length;
  const width = model.options.kind === 'classifier' ? classCount : 1;
  const tree: FlatTree = {
    nodeCount: n,
    feature: new Int32Array(n).fill(-1),
    threshold: new Float64Array(n),
    left: new Int32Array(n).fill(-1),
    right: new Int32Array(n).fill(-1),
    gain: new Float64Array(n),
    samples: new Int32Array(n),
    values: new Float64Array(n * width),
    valueWidth: width,
  };
  const index = new Map<MlCartNode, number>(nodes.map((node, i) => [node, i]));
  nodes.forEach((node, i) => {
    if ('distribution' in node) {
      if (typeof node.distribution === 'number') tree.values[i] = node.distribution;
      else tree.values.set(node.distribution[0]!.slice(0, width), i * width);
      return;
    }
    tree.feature[i] = node.splitColumn;
    tree.threshold[i] = node.splitValue;
    tree.gain[i] = node.gain;
    tree.samples[i] = node.numberSamples;
    tree.left[i] = index.get(node.left)!;
    tree.right[i] = index.get(node.right)!;
  });
  return tree;
}

/** The leaf a row (at `base` in the row-major matrix `x`) ends in. */
export function leafOf(tree: FlatTree, x: Float64Array, base: number): number {
  let i = 0;
  let f = tree.feature[0]!;
  while (f >= 0) {
    i = x[base + f]! < tree.threshold[i]! ? tree.left[i]! : tree.right[i]!;
    f = tree.feature[i]!;
  }
  return i;
}

/** Predicted class index per row (first of equal probabilities, like ml-cart), for a classifier. */
export function predictClasses(tree: FlatTree, x: Float64Array, width: number): Int32Array {
  const rows = x.length / width;
  const out = new Int32Array(rows);
  const w = tree.valueWidth;
  for (let r = 0; r < rows; r++) {
    const at = leafOf(tree, x, r * width) * w;
    let best = 0;
    for (let c = 1; c < w; c++) if (tree.values[at + c]! > tree.values[at + best]!) best = c;
    out[r] = best;
  }
  return out;
}

/** Predicted value per row, for a regression tree. */
export function predictValues(tree: FlatTree, x: Float64Array, width: number): Float64Array {
  const rows = x.length / width;
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) out[r] = tree.values[leafOf(tree, x, r * width)]!;
  return out;
}
