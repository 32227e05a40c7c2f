import { describe, expect, it } from 'vitest';
import { DataError } from '../../training/errors.ts';
import type { CompiledEncoding } from '../../training/encoding.ts';
import { compileEncoding, encodeTable, encodeValue, learnEncoding } from '../../training/encoding.ts';
import { seededRandom } from '../../training/split.ts';
import type { Column, Table } from '../../training/table.ts';
import { cellValue } from '../../training/table.ts';

/** The encoding a cell at a time through `encodeValue`, as encodeTable computed it before its column-wise path. */
function cellByCell(enc: CompiledEncoding, table: Table, rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length * enc.width);
  rows.forEach((r, k) => enc.features.forEach((f, i) => encodeValue(enc, i, cellValue(table.columns.get(f.name)!, r), out, k * enc.width)));
  return out;
}

function table(columns: Record<string, Column>, rowCount: number): Table {
  return { file: 'data.csv', rowCount, names: Object.keys(columns), columns: new Map(Object.entries(columns)), sha256: '' };
}

describe('encodeTable', () => {
  it('encodes numbers, booleans and categories, missing and unseen ones included, as encodeValue does cell by cell', () => {
    const random = seededRandom(11);
    for (let t = 0; t < 50; t++) {
      const n = 1 + Math.floor(random() * 300);
      const levels = ['red', 'green', 'blue', 'teal'].slice(0, 1 + Math.floor(random() * 4));
      const data = table(
        {
          x: { kind: 'number', values: Float64Array.from({ length: n }, () => (random() < 0.2 ? NaN : random() < 0.1 ? -0 : random() * 100 - 50)) },
          b: { kind: 'boolean', values: Float64Array.from({ length: n }, () => (random() < 0.2 ? NaN : random() < 0.5 ? 1 : 0)) },
          c: { kind: 'category', codes: Int32Array.from({ length: n }, () => Math.floor(random() * (levels.length + 1)) - 1), levels },
        },
        n,
      );
      // Learn on some rows, encode all: levels seen only outside the learned rows are unseen categories.
      const learned = Int32Array.from({ length: n }, (_, i) => i).filter((i) => i < n / 2 || i === 0);
      const enc = compileEncoding(learnEncoding(data, ['c', 'x', 'b'], learned.length > 0 ? learned : Int32Array.of(0)));
      const rows = Int32Array.from({ length: n }, (_, i) => i).filter(() => random() < 0.8);
      expect(new Uint8Array(encodeTable(enc, data, rows).buffer)).toEqual(new Uint8Array(cellByCell(enc, data, rows).buffer));
    }
  });

  it('names the row and column of a number that is not finite', () => {
    const data = table({ x: { kind: 'number', values: Float64Array.from([1, 2, Infinity]) } }, 3);
    const enc = compileEncoding(learnEncoding(data, ['x'], Int32Array.of(0, 1)));
    let error: unknown;
    try {
      encodeTable(enc, data, Int32Array.of(0, 1, 2));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DataError);
    expect(error).toMatchObject({ message: 'expected a finite number, got Infinity', place: { file: 'data.csv', row: 3, column: 'x' } });
  });
});

describe('median imputation of long columns (narrowed to the middle cells first)', () => {
  const sortedMedian = (values: Float64Array) => {
    const present = values.filter((v) => !Number.isNaN(v)).sort();
    const k = present.length;
    return k % 2 === 1 ? present[(k - 1) / 2]! : (present[k / 2 - 1]! + present[k / 2]!) / 2;
  };
  const random = seededRandom(5);
  const shapes: Record<string, (i: number, n: number) => number> = {
    uniform: () => random() * 10,
    ties: () => Math.floor(random() * 3),
    sorted: (i) => i,
    reversed: (i, n) => n - i,
    clustered: () => (random() < 0.5 ? 1e6 + random() * 1e-6 : -1e6 - random() * 1e-6),
    exponential: () => Math.exp(random() * 60 - 30),
    hugeRange: () => (random() - 0.5) * 1.7e308,
    tinyRange: () => 1 + random() * 1e-15,
    subnormal: () => random() * 5e-322,
    missing: () => (random() < 0.6 ? NaN : random() - 0.5),
    middleGap: (i, n) => (i < n / 2 ? random() : 1e9 + random()),
  };
  it('equals the sorted median, for odd and even counts', () => {
    for (const [name, shape] of Object.entries(shapes)) {
      for (const n of [5_000, 5_001, 40_000, 40_003]) {
        const values = Float64Array.from({ length: n }, (_, i) => shape(i, n));
        const data = table({ x: { kind: 'number', values } }, n);
        const [feature] = learnEncoding(data, ['x'], Int32Array.from({ length: n }, (_, i) => i));
        expect(feature, `${name}, ${n} values`).toEqual({ name: 'x', type: 'number', impute: sortedMedian(values) });
      }
    }
  });
});
