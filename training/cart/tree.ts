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

const leafSchema = z.object({ distribution: z.union([z.array(z.array(z.number())).length(1), z.number()]) });
const splitSchema = z.object({
  splitColumn: z.int().min(0),
  splitValue: z.number(),
  gain: z.number(),
  numberSamples: z.int().min(0),
  left: z.looseObject({}),
  right: z.looseObject({}),
});

/**
 * A tree node and everything below it, checked one node at a time from an explicit stack: a
 * recursive schema (`z.lazy`) overflows the call stack on trees thousands of levels deep, which
 * `minNumSamples: 1` can grow. A node with `distribution` is a leaf (as `fromMlCart` reads it).
 */
const mlCartNodeSchema = z.custom<MlCartNode>().superRefine((root, ctx) => {
  // Each entry's path is a link to its parent's, so a deep tree costs no copying of paths.
  const stack: { node: unknown; path: NodePath | null }[] = [{ node: root, path: null }];
  while (stack.length > 0) {
    const { node, path } = stack.pop()!;
    const isLeaf = node !== null && typeof node === 'object' && 'distribution' in node;
    const result = (isLeaf ? leafSchema : splitSchema).safeParse(node);
    if (!result.success) {
      const issue = result.error.issues[0]!;
      ctx.addIssue({ code: 'custom', message: issue.message, path: [...shortPath(path), ...issue.path] });
      return;
    }
    if (!isLeaf) {
      const split = node as MlCartSplit;
      stack.push({ node: split.right, path: { step: 'right', up: path } }, { node: split.left, path: { step: 'left', up: path } });
    }
  }
});

interface NodePath {
  step: 'left' | 'right';
  up: NodePath | null;
}

/** A node's place for an error: the whole path when short, else its ends and the depth skipped. */
function shortPath(link: NodePath | null): string[] {
  const path: string[] = [];
  for (let at = link; at; at = at.up) path.push(at.step);
  path.reverse();
  return path.length <= 12 ? [...path] : [...path.slice(0, 4), `…${path.length - 8} levels…`, ...path.slice(-4)];
}

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
  const w = tree.valueWidth;
  const nodes: MlCartNode[] = new Array<MlCartNode>(tree.nodeCount);
  // Children before parents, without recursion (trees can be thousands of levels deep).
  const order: number[] = [];
  const stack = [0];
  while (stack.length > 0) {
    const i = stack.pop()!;
    order.push(i);
    if (tree.feature[i]! >= 0) stack.push(tree.left[i]!, tree.right[i]!);
  }
  for (let k = order.length - 1; k >= 0; k--) {
    const i = order[k]!;
    if (tree.feature[i]! < 0) {
      nodes[i] = options.kind === 'classifier' ? { distribution: [Array.from(tree.values.subarray(i * w, i * w + w))] } : { distribution: tree.values[i]! };
    } else {
      nodes[i] = {
        splitColumn: tree.feature[i]!,
        splitValue: tree.threshold[i]!,
        gain: tree.gain[i]!,
        numberSamples: tree.samples[i]!,
        left: nodes[tree.left[i]!]!,
        right: nodes[tree.right[i]!]!,
      };
    }
  }
  return { name: options.kind === 'classifier' ? 'DTClassifier' : 'DTRegression', options, root: nodes[0]! };
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
  const tree = emptyTree(n, width);
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

/** A tree of `n` nodes, all leaves with zero values, to be filled in. */
export function emptyTree(n: number, valueWidth: number): FlatTree {
  return {
    nodeCount: n,
    feature: new Int32Array(n).fill(-1),
    threshold: new Float64Array(n),
    left: new Int32Array(n).fill(-1),
    right: new Int32Array(n).fill(-1),
    gain: new Float64Array(n),
    samples: new Int32Array(n),
    values: new Float64Array(n * valueWidth),
    valueWidth,
  };
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
