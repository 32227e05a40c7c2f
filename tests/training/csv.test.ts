import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCsv } from '../../training/csv.ts';
import { DataError } from '../../training/errors.ts';
import { cellValue } from '../../training/table.ts';
import { tempDir } from '../helpers/temp.ts';
import { describeError } from '../../training/errors.ts';
import { rejected } from '../helpers/errors.ts';

const dir = tempDir();
let n = 0;
function csvFile(text: string): string {
  const file = path.join(dir, `data-${n++}.csv`);
  writeFileSync(file, text);
  return file;
}
const all = (header: string[]) => header.map((name) => ({ name }));

async function loadError(text: string, options: Partial<Parameters<typeof loadCsv>[1]> = {}): Promise<DataError> {
  const file = csvFile(text);
  try {
    await loadCsv(file, { columns: all, ...options });
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    expect(describeError(err).startsWith(file)).toBe(true);
    return err as DataError;
  }
  throw new Error('expected a DataError');
}

describe('CSV loading', () => {
  it('loads numbers, categories, booleans and missing cells into typed columns', async () => {
    const file = csvFile('\uFEFFa,b,c,d\n1.5,red,true,\n-2e3,"blue, dark",false,x\nNA,red,,y\n');
    const table = await loadCsv(file, { columns: all });
    expect(table.rowCount).toBe(3);
    expect(table.names).toEqual(['a', 'b', 'c', 'd']);
    const a = table.columns.get('a')!;
    expect(a.kind).toBe('number');
    expect([0, 1, 2].map((r) => cellValue(a, r))).toEqual([1.5, -2000, null]);
    const b = table.columns.get('b')!;
    expect(b.kind).toBe('category');
    expect([0, 1, 2].map((r) => cellValue(b, r))).toEqual(['red', 'blue, dark', 'red']);
    const c = table.columns.get('c')!;
    expect(c.kind).toBe('boolean');
    expect([0, 1, 2].map((r) => cellValue(c, r))).toEqual([true, false, null]);
    // A column whose first value is missing is typed by its first present value.
    const d = table.columns.get('d')!;
    expect(d.kind).toBe('category');
    expect([0, 1, 2].map((r) => cellValue(d, r))).toEqual([null, 'x', 'y']);
    expect(table.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps only the requested columns, with declared types', async () => {
    const file = csvFile('zip,x,y\n02134,1,a\n10001,2,b\n');
    const table = await loadCsv(file, { columns: () => [{ name: 'zip', type: 'category' }, { name: 'y' }] });
    expect(table.names).toEqual(['zip', 'y']);
    expect(cellValue(table.columns.get('zip')!, 0)).toBe('02134');
  });

  it('names the line of a row with the wrong number of fields', async () => {
    const err = await loadError('a,b,c\n1,2,3\n4,5\n');
    expect(err.place.line).toBe(3);
    expect(describeError(err)).toContain('line 3: wrong number of fields: found 2');
  });

  it('names line, row and column of text in a number column', async () => {
    const err = await loadError('a,b\n1,2\n3,4\n5,abc\n');
    expect(err.place).toMatchObject({ line: 4, row: 3, column: 'b' });
    expect(describeError(err)).toContain('"abc" is not a number');
    expect(describeError(err)).toContain('declare "{name: b, type: category}"');
  });

  it('refuses a value that is not a boolean in a boolean column', async () => {
    const err = await loadError('a\ntrue\nyes\n');
    expect(err.place).toMatchObject({ row: 2, column: 'a' });
    expect(describeError(err)).toContain('"yes" is not true or false');
  });

  it('refuses infinities in a number column', async () => {
    const err = await loadError('a\n1\nInfinity\n');
    expect(err.place).toMatchObject({ row: 2, column: 'a' });
  });

  it('refuses numbers too large for a double (no Infinity reaches a model)', async () => {
    const err = await loadError('a,b\n1,2\n1e400,3\n');
    expect(err.place).toMatchObject({ line: 3, row: 2, column: 'a' });
    expect(describeError(err)).toContain('1e400 is too large for a number');
  });

  it('reads "NaN" as text, not as a missing value (as serving does)', async () => {
    const err = await loadError('a\n1\nNaN\n');
    expect(err.place).toMatchObject({ row: 2, column: 'a' });
    expect(describeError(err)).toContain('"NaN" is not a number');
  });

  it('reports an empty file', async () => {
    const err = await loadError('');
    expect(describeError(err)).toContain('the file is empty');
  });

  it('reports a header without rows', async () => {
    const err = await loadError('a,b\n');
    expect(describeError(err)).toContain('line 1: the file has a header but no data rows');
  });

  it('names a missing target column', async () => {
    const err = await loadError('a,b\n1,2\n', { required: [{ name: 'species', role: 'target' }] });
    expect(err.place.column).toBe('species');
    expect(describeError(err)).toContain('target column "species" is not in the header (columns: a, b)');
  });

  it('names a duplicated header column', async () => {
    const err = await loadError('a,a\n1,2\n');
    expect(describeError(err)).toContain('names column "a" twice');
  });

  it('reports a column whose every cell is missing', async () => {
    const err = await loadError('a,b\n1,\n2,NA\n');
    expect(err.place.column).toBe('b');
  });

  it('reports malformed quoting with its line', async () => {
    const err = await loadError('a,b\n1,2\n3,"4\n');
    expect(describeError(err)).toMatch(/malformed CSV|wrong number of fields/);
  });

  it('names a file that does not exist', async () => {
    expect(await rejected(loadCsv(path.join(dir, 'nope.csv'), { columns: all }))).toMatch(/nope\.csv: cannot read the data file \(ENOENT\)/);
  });
});
