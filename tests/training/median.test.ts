import { describe, expect, it } from 'vitest';
import { learnEncoding } from '../../training/encoding.ts';
import { seededRandom } from '../../training/split.ts';
import { allRows } from '../../training/table.ts';

/** The median by sorting, as the encoding computed it before it used selection. */
function sortedMedian(values: number[]): number {
  const present = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  const k = present.length;
  return k % 2 === 1 ? present[(k - 1) / 2]! : (present[k / 2 - 1]! + present[k / 2]!) / 2;
}

function imputed(values: number[], rows = allRows(values.length)): number {
  const table = { file: 'data.csv', rowCount: values.length, names: ['x'], columns: new Map([['x', { kind: 'number' as const, values: Float64Array.from(values) }]]), sha256: '' };
  const [feature] = learnEncoding(table, ['x'], rows);
  if (feature?.type !== 'number') throw new Error('expected a number feature');
  return feature.impute;
}

describe('median imputation', () => {
  it('equals the sorted median on ties, sorted, reversed and random columns with missing cells', () => {
    const random = seededRandom(3);
    for (let t = 0; t < 2000; t++) {
      const n = 1 + Math.floor(random() * 80);
      const shape = t % 4;
      const values = Array.from({ length: n }, (_, i) =>
        shape === 0 ? Math.floor(random() * 4) : shape === 1 ? i : shape === 2 ? n - i : random() < 0.2 ? NaN : random() * 100 - 50,
      );
      values[Math.floor(random() * n)] = 7; // at least one present value
      expect(imputed(values), JSON.stringify(values)).toBe(sortedMedian(values));
    }
  });

  it('uses only the given rows', () => {
    expect(imputed([1, 100, 2, 100, 3], Int32Array.from([0, 2, 4]))).toBe(2);
    expect(imputed([1, NaN, 4, NaN], Int32Array.from([0, 1, 2, 3]))).toBe(2.5);
  });
});
