import { describe, expect, it } from 'vitest';
import { trainCart } from '../../training/cart/train.ts';
import type { CartTarget } from '../../training/cart/target.ts';
import type { FlatTree } from '../../training/cart/tree.ts';
import { seededRandom } from '../../training/split.ts';

/**
 * Continuous features (three decimals, so values repeat), a non-linear class rule and label
 * noise: the best cuts fall inside bins, and near-equal cuts lie many bins apart.
 */
function curvedData(rows: number, seed: number, constantColumn = false) {
  const width = constantColumn ? 5 : 4;
  const random = seededRandom(seed);
  const x = new Float64Array(rows * width);
  const classes = new Int32Array(rows);
  const values = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < 4; f++) x[r * width + f] = Math.round(random() * 1e4) / 1e3;
    if (constantColumn) x[r * width + 4] = 1;
    const [a, b, c, d] = [x[r * width]!, x[r * width + 1]!, x[r * width + 2]!, x[r * width + 3]!];
    const score = Math.sin(a) * 2 + (b - 5) * (c - 5) * 0.2 + d * 0.1;
    classes[r] = random() < 0.1 ? Math.floor(random() * 3) : score > 1 ? 2 : score > -0.5 ? 1 : 0;
    values[r] = score + random() - 0.5;
  }
  return { x, width, classes, values };
}

function expectSameTree(hist: FlatTree, exact: FlatTree): void {
  expect(Array.from(hist.feature)).toEqual(Array.from(exact.feature));
  expect(Array.from(hist.threshold)).toEqual(Array.from(exact.threshold));
  expect(Array.from(hist.samples)).toEqual(Array.from(exact.samples));
  // Leaf means may differ in the last bits: the statistics are summed in another order.
  hist.values.forEach((v, i) => expect(v).toBeCloseTo(exact.values[i]!, 9));
}

/** Grows the exact splitter's tree and the histogram splitter's (`maxBins`) on the same classes and expects them equal. */
function expectExactClassTree(rows: number, seed: number, maxBins: number, maxDepth: number, constantColumn = false): void {
  const { x, width, classes } = curvedData(rows, seed, constantColumn);
  const target: CartTarget = { kind: 'classification', classes, classCount: 3 };
  const exact = trainCart(x, width, target, { splitter: 'exact', maxDepth }).tree;
  const hist = trainCart(x, width, target, { splitter: 'histogram', maxBins, maxDepth }).tree;
  expect(hist.threshold[0]).toBe(exact.threshold[0]);
  expectSameTree(hist, exact);
}

/** The rows of `x` that reach each node of `tree` (x < threshold goes left). */
function nodeRows(tree: FlatTree, x: Float64Array, width: number): number[][] {
  const rows: number[][] = Array.from({ length: tree.nodeCount }, () => []);
  for (let r = 0; r < x.length / width; r++) {
    for (let node = 0; node >= 0; ) {
      rows[node]!.push(r);
      const f = tree.feature[node]!;
      node = f < 0 ? -1 : x[r * width + f]! < tree.threshold[node]! ? tree.left[node]! : tree.right[node]!;
    }
  }
  return rows;
}

describe('histogram splitter', () => {
  // 16 bins over 20,000 rows: ~1,250 rows a bin at the root, so bin edges alone would miss the
  // exact cuts (they did before the bins were searched: other thresholds and other trees).
  it('finds the exact splitter’s splits and thresholds (classification)', () => {
    for (const seed of [1, 2, 3]) expectExactClassTree(20_000, seed, 16, 6);
  });

  // Deep nodes of a few rows lie in one bin of most features: with the same class shares on both
  // sides of the bin's middle, an estimate taken there saw no gain and skipped the feature, while
  // a cut inside the bin split the node perfectly.
  it('finds the exact splitter’s splits in nodes that lie inside one bin', () => {
    for (const seed of [1, 2, 3]) expectExactClassTree(20_000, seed, 16, 12);
  });

  it('finds the exact splitter’s splits with few bins and a constant feature', () => {
    for (const seed of [1, 2, 3]) expectExactClassTree(6_000, seed, 8, 12, true);
  });

  // Sums of y taken in another order than the exact splitter's decide near-ties otherwise, so
  // the trees may part; what holds is that every split scores as the exact splitter's best split
  // of the same rows, to rounding.
  it('splits every node as well as the exact splitter would (regression)', () => {
    const { x, width, values } = curvedData(20_000, 4);
    const hist = trainCart(x, width, { kind: 'regression', values }, { splitter: 'histogram', maxBins: 16, maxDepth: 5 }).tree;
    const reached = nodeRows(hist, x, width);
    let internal = 0;
    for (let node = 0; node < hist.nodeCount; node++) {
      const rows = reached[node]!;
      expect(rows.length).toBe(hist.samples[node]);
      if (hist.feature[node]! < 0) continue;
      internal++;
      const sub = new Float64Array(rows.length * width);
      rows.forEach((r, i) => sub.set(x.subarray(r * width, (r + 1) * width), i * width));
      const best = trainCart(sub, width, { kind: 'regression', values: Float64Array.from(rows, (r) => values[r]!) }, { splitter: 'exact', maxDepth: 1 }).tree;
      expect(hist.gain[node]).toBeCloseTo(best.gain[0]!, 9);
    }
    expect(internal).toBeGreaterThan(15);
  });
});
