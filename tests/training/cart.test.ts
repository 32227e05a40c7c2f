import path from 'node:path';
import { DecisionTreeClassifier, DecisionTreeRegression } from 'ml-cart';
import { describe, expect, it } from 'vitest';
import { trainCart } from '../../training/cart/train.ts';
import type { CartTarget } from '../../training/cart/target.ts';
import type { FlatTree } from '../../training/cart/tree.ts';
import { fromMlCart, predictClasses, predictValues, toMlCart } from '../../training/cart/tree.ts';
import { encodeTable } from '../../training/encoding.ts';
import { loadModel } from '../../training/model.ts';
import { loadSpec } from '../../training/spec.ts';
import { seededRandom } from '../../training/split.ts';
import { allRows } from '../../training/table.ts';
import { loadCsv } from '../../training/csv.ts';
import { trainModel } from '../../training/train-model.ts';
import { EXAMPLES, REPO } from '../helpers/temp.ts';

function randomData(rows: number, width: number, seed: number, distinct = 1000) {
  const random = seededRandom(seed);
  const x = new Float64Array(rows * width);
  const y = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let f = 0; f < width; f++) {
      const v = Math.floor(random() * distinct);
      x[r * width + f] = v;
      s += (f % 2 === 0 ? 1 : -1) * v;
    }
    y[r] = (s > 0 ? 1 : 0) + (random() < 0.1 ? 1 : 0);
  }
  return { x, y, target: { kind: 'classification', classes: y, classCount: 3 } as CartTarget };
}

function depthOf(tree: FlatTree, i = 0): number {
  return tree.feature[i]! < 0 ? 0 : 1 + Math.max(depthOf(tree, tree.left[i]!), depthOf(tree, tree.right[i]!));
}

function internalNodes(tree: FlatTree): number[] {
  return Array.from({ length: tree.nodeCount }, (_, i) => i).filter((i) => tree.feature[i]! >= 0);
}

/** The best gini gain of any split at the root, by trying every threshold of every feature. */
function bruteForceRootGain(x: Float64Array, y: Int32Array, width: number, classes: number): number {
  const n = y.length;
  const gini = (counts: number[], total: number) => (total === 0 ? 0 : 1 - counts.reduce((a, c) => a + (c / total) ** 2, 0));
  const all = new Array(classes).fill(0);
  for (const c of y) all[c]++;
  let best = -Infinity;
  for (let f = 0; f < width; f++) {
    const values = [...new Set(Array.from({ length: n }, (_, r) => x[r * width + f]!))].sort((a, b) => a - b);
    for (let i = 1; i < values.length; i++) {
      const t = (values[i - 1]! + values[i]!) / 2;
      const left = new Array(classes).fill(0);
      let nl = 0;
      for (let r = 0; r < n; r++) {
        if (x[r * width + f]! < t) {
          left[y[r]!]++;
          nl++;
        }
      }
      const right = all.map((c, k) => c - left[k]);
      best = Math.max(best, gini(all, n) - (nl / n) * gini(left, nl) - ((n - nl) / n) * gini(right, n - nl));
    }
  }
  return best;
}

describe('CART trainer', () => {
  it('finds the best root split (exact splitter, checked by brute force)', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const { x, y, target } = randomData(40, 3, seed, 12);
      const { tree } = trainCart(x, 3, target, { splitter: 'exact', gainThreshold: 0 });
      expect(tree.gain[0]).toBeCloseTo(bruteForceRootGain(x, y, 3, 3), 12);
    }
  });

  it('gives the same partitions with histograms when every feature has few distinct values', () => {
    const { x, target } = randomData(5000, 4, 3, 50);
    const exact = trainCart(x, 4, target, { splitter: 'exact', maxDepth: 8 }).tree;
    const hist = trainCart(x, 4, target, { splitter: 'histogram', maxDepth: 8 }).tree;
    expect(hist.nodeCount).toBe(exact.nodeCount);
    expect(Array.from(hist.feature)).toEqual(Array.from(exact.feature));
    // Thresholds may differ where a value is absent from a node (exact cuts at the node's own
    // midpoint, histograms at the global bin edge): the rows on each side are the same.
    expect(Array.from(hist.samples)).toEqual(Array.from(exact.samples));
    expect(Array.from(hist.values)).toEqual(Array.from(exact.values));
    expect(Array.from(predictClasses(hist, x, 4))).toEqual(Array.from(predictClasses(exact, x, 4)));
  });

  it('keeps histogram accuracy close to exact splits on continuous features', () => {
    const { x, y, target } = randomData(30_000, 6, 5, 1_000_000);
    const acc = (tree: FlatTree) => {
      const p = predictClasses(tree, x, 6);
      return p.reduce((ok, c, i) => ok + (c === y[i] ? 1 : 0), 0) / y.length;
    };
    const exact = acc(trainCart(x, 6, target, { splitter: 'exact', maxDepth: 8 }).tree);
    const hist = acc(trainCart(x, 6, target, { splitter: 'histogram', maxDepth: 8 }).tree);
    expect(Math.abs(exact - hist)).toBeLessThan(0.01);
  });

  it('picks the splitter by row count unless told', () => {
    const small = randomData(100, 2, 1);
    expect(trainCart(small.x, 2, small.target).options.splitter).toBe('exact');
    expect(trainCart(small.x, 2, small.target, { splitter: 'histogram' }).options.splitter).toBe('histogram');
  });

  it('is deterministic', () => {
    const { x, target } = randomData(3000, 5, 9);
    for (const splitter of ['exact', 'histogram'] as const) {
      const a = trainCart(x, 5, target, { splitter }).tree;
      const b = trainCart(x, 5, target, { splitter }).tree;
      expect(JSON.stringify(toMlCart(a, trainCart(x, 5, target, { splitter }).mlCartOptions))).toBe(
        JSON.stringify(toMlCart(b, trainCart(x, 5, target, { splitter }).mlCartOptions)),
      );
    }
  });

  it('honours maxDepth, minNumSamples and gainThreshold (defaults when absent: ml-cart\'s, but a gain threshold of 0 as scikit-learn)', () => {
    const { x, target } = randomData(2000, 4, 2);
    const defaults = trainCart(x, 4, target);
    expect(defaults.options).toMatchObject({ maxDepth: Infinity, minNumSamples: 3, gainThreshold: 0 });
    for (const node of internalNodes(defaults.tree)) {
      expect(defaults.tree.samples[node]).toBeGreaterThan(3);
      expect(defaults.tree.gain[node]).toBeGreaterThan(0);
    }
    const picky = trainCart(x, 4, target, { gainThreshold: 0.01 });
    for (const node of internalNodes(picky.tree)) expect(picky.tree.gain[node]).toBeGreaterThan(0.01);
    expect(internalNodes(picky.tree).length).toBeLessThan(internalNodes(defaults.tree).length);
    const shallow = trainCart(x, 4, target, { maxDepth: 3, minNumSamples: 50, gainThreshold: 0 });
    expect(depthOf(shallow.tree)).toBe(3);
    for (const node of internalNodes(shallow.tree)) expect(shallow.tree.samples[node]).toBeGreaterThan(50);
    expect(trainCart(x, 4, { kind: 'regression', values: new Float64Array(2000) }).options.gainThreshold).toBe(0);
  });

  it('fits a step function exactly (regression)', () => {
    const rows = 200;
    const x = Float64Array.from({ length: rows }, (_, i) => i);
    const values = Float64Array.from({ length: rows }, (_, i) => (i < 50 ? 1 : i < 120 ? 5 : -3));
    for (const splitter of ['exact', 'histogram'] as const) {
      const { tree } = trainCart(x, 1, { kind: 'regression', values }, { splitter });
      expect(Array.from(predictValues(tree, x, 1))).toEqual(Array.from(values));
      expect(tree.nodeCount).toBe(5);
    }
  });

  it('refuses non-finite inputs', () => {
    const x = Float64Array.from([1, NaN, 3, 4]);
    expect(() => trainCart(x, 2, { kind: 'regression', values: new Float64Array(2) })).toThrow(/row 0, column 1 is NaN/);
  });

  it('round-trips through the ml-cart JSON form', () => {
    const { x, target } = randomData(1000, 3, 4);
    const trained = trainCart(x, 3, target);
    const back = fromMlCart(JSON.parse(JSON.stringify(toMlCart(trained.tree, trained.mlCartOptions))), 3);
    expect(Array.from(predictClasses(back, x, 3))).toEqual(Array.from(predictClasses(trained.tree, x, 3)));
  });
});

describe('ml-cart reads our trees and predicts exactly what we predict', () => {
  for (const name of EXAMPLES) {
    for (const splitter of ['exact', 'histogram'] as const) {
      it(`${name} (${splitter} splits), every row`, async () => {
        const loaded = await loadSpec(path.join(REPO, 'models', name));
        loaded.spec.algorithm = 'cart'; // a tree of every example's data, whatever the example trains
        loaded.spec.params = { ...loaded.spec.params, splitter, maxBins: 16 };
        const { artifact } = await trainModel(loaded, {});
        const model = loadModel(artifact);
        const table = await loadCsv(path.join(REPO, 'models', name, loaded.spec.data), { columns: (h) => h.map((n) => ({ name: n })) });
        const x = encodeTable(model.encoding, table, allRows(table.rowCount));
        const w = model.encoding.width;
        const rows = Array.from({ length: table.rowCount }, (_, r) => Array.from(x.subarray(r * w, r * w + w)));
        const json = JSON.parse(JSON.stringify(artifact.model));
        if (artifact.task === 'classification') {
          const ours = Array.from(predictClasses(model.tree, x, w));
          expect(DecisionTreeClassifier.load(json).predict(rows)).toEqual(ours);
        } else {
          const ours = Array.from(predictValues(model.tree, x, w));
          expect(DecisionTreeRegression.load(json).predict(rows)).toEqual(ours);
        }
        expect(table.rowCount).toBeGreaterThan(100);
      });
    }
  }
});
