import { describe, expect, it } from 'vitest';
import { binColumns } from '../../training/cart/binning.ts';
import { radixSortFloat64 } from '../../training/cart/radix-sort.ts';
import { seededRandom } from '../../training/split.ts';

/** The bin of v by binary search (the number of edges ≤ v), as the binning computed it before its lookup grid. */
function searchedBin(edges: Float64Array, v: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const random = seededRandom(7);
/** Columns of shapes that stress a uniform grid: skewed, clustered, huge, tiny, few distinct, infinite. */
const shapes: Record<string, () => number> = {
  uniform: () => Math.round(random() * 1e4) / 1e3,
  exponential: () => Math.exp(random() * 40),
  fewDistinct: () => Math.floor(random() * 5),
  constant: () => 7,
  tiny: () => -Math.log(random()) * 1e-300,
  huge: () => (random() - 0.5) * 1e308 * 3,
  heavyTails: () => Math.tan((random() - 0.5) * 3.14),
  clusters: () => (random() < 0.9 ? random() * 1e-9 : 1e6 + random()),
  signedZeros: () => (random() < 0.3 ? -0 : random() < 0.5 ? 0 : random() - 0.5),
  infinities: () => (random() < 0.05 ? -Infinity : random() < 0.05 ? Infinity : random()),
};

describe('binColumns', () => {
  it('gives every value the bin a binary search over the edges gives, on skewed and extreme columns', () => {
    const names = Object.keys(shapes);
    const width = names.length;
    for (const rows of [1, 17, 5_000, 300_000]) {
      const x = new Float64Array(rows * width);
      for (let r = 0; r < rows; r++) names.forEach((name, f) => (x[r * width + f] = shapes[name]!()));
      for (const maxBins of [2, 16, 256]) {
        const { codes, edges } = binColumns(x, width, maxBins);
        let wrong = 0;
        for (let f = 0; f < width; f++) {
          expect(edges[f]!.length).toBeLessThan(maxBins);
          for (let i = 1; i < edges[f]!.length; i++) expect(edges[f]![i]!).toBeGreaterThan(edges[f]![i - 1]!);
          for (let r = 0; r < rows; r++) if (codes[r * width + f] !== searchedBin(edges[f]!, x[r * width + f]!)) wrong++;
        }
        expect(wrong, `${rows} rows, ${maxBins} bins`).toBe(0);
      }
    }
  });

  it('cuts between the distinct values when there are few of them', () => {
    const x = Float64Array.from([3, 1, 2, 1, 3, 2]);
    const { codes, edges } = binColumns(x, 1, 256);
    expect(Array.from(edges[0]!)).toEqual([1.5, 2.5]);
    expect(Array.from(codes)).toEqual([2, 0, 1, 0, 2, 1]);
  });
});

describe('radixSortFloat64', () => {
  it('orders doubles as Float64Array.prototype.sort does, bit for bit', () => {
    for (const [name, shape] of Object.entries(shapes)) {
      for (const n of [0, 1, 2, 3, 1000, 50_000]) {
        const a = Float64Array.from({ length: n }, shape);
        const expected = a.slice().sort();
        const sorted = radixSortFloat64(a.slice());
        expect(new Uint8Array(sorted.buffer), `${name}, ${n} values`).toEqual(new Uint8Array(expected.buffer));
      }
    }
  });
});
