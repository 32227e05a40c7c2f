/**
 * How the training loader reads cells: the trimming rule (ASCII spaces and tabs only, quoted or
 * not), bytes that are not UTF-8, quoting across the loader's 1 MiB chunks (checked against
 * csv-parse), and the byte-level number reader against `Number`.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { isDecimalCell, trimCell } from '../../training/cells.ts';
import { loadCsv } from '../../training/csv.ts';
import { parseDecimalBytes } from '../../training/csv/decimal.ts';
import { DataError, describeError } from '../../training/errors.ts';
import { seededRandom } from '../../training/split.ts';
import { cellValue } from '../../training/table.ts';
import { tempDir } from '../helpers/temp.ts';

const dir = tempDir();
let n = 0;
function csvFile(content: string | Buffer): string {
  const file = path.join(dir, `cells-${n++}.csv`);
  writeFileSync(file, content);
  return file;
}
const all = (header: string[]) => header.map((name) => ({ name }));
const column = (table: Awaited<ReturnType<typeof loadCsv>>, name: string) => {
  const c = table.columns.get(name)!;
  return Array.from({ length: table.rowCount }, (_, r) => cellValue(c, r));
};

async function loadError(content: string | Buffer): Promise<DataError> {
  try {
    await loadCsv(csvFile(content), { columns: all });
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    return err as DataError;
  }
  throw new Error('expected a DataError');
}

describe('trimCell', () => {
  it('trims ASCII spaces and tabs and nothing else', () => {
    expect(trimCell(' \t1.5\t ')).toBe('1.5');
    expect(trimCell('a b')).toBe('a b');
    expect(trimCell('\u00a01\u00a0')).toBe('\u00a01\u00a0');
    expect(trimCell('\f1\v')).toBe('\f1\v');
    expect(trimCell('   ')).toBe('');
  });
});

describe('CSV cells, quoted or not', () => {
  it('reads a cell the same whether it is quoted or not', async () => {
    const table = await loadCsv(csvFile('a,b,c,d\n 1.5 ," 1.5 ", x ,"\t x "\n2,"2","y","y"\n'), { columns: all });
    expect(column(table, 'a')).toEqual([1.5, 2]);
    expect(column(table, 'b')).toEqual([1.5, 2]);
    expect(column(table, 'c')).toEqual(['x', 'y']);
    expect(column(table, 'd')).toEqual(['x', 'y']);
  });

  it('allows spaces around a quoted field and reads "" as a quote', async () => {
    const table = await loadCsv(csvFile('a,b\n  "say ""hi"", then go" ,1\n"",2\n'), { columns: all });
    expect(column(table, 'a')).toEqual(['say "hi", then go', null]);
  });

  it('refuses a no-break space in a number cell, quoted or not, naming row and column', async () => {
    for (const cell of ['\u00a01.5', '"\u00a01.5"', '1.5\u00a0', '" 1.5\u00a0"']) {
      const err = await loadError(`a,b\n1,2\n${cell},3\n`);
      expect(err.place).toMatchObject({ line: 3, row: 2, column: 'a' });
      expect(describeError(err)).toContain('is not a number');
    }
  });

  it('keeps a no-break space in a category as data', async () => {
    const table = await loadCsv(csvFile('c\nx\n\u00a0x\n"\u00a0x"\n x\n'), { columns: all });
    expect(column(table, 'c')).toEqual(['x', '\u00a0x', '\u00a0x', 'x']);
  });

  it('names the line of a record after one with newlines inside quotes', async () => {
    const err = await loadError('a,b\n"one\ntwo\nthree",1\nx,oops\n');
    expect(err.place).toMatchObject({ line: 5, row: 2, column: 'b' });
  });

  it('reads CRLF files, with and without quotes', async () => {
    const table = await loadCsv(csvFile('a,b\r\n1,"x\r\ny"\r\n\r\n2, z \r\n'), { columns: all });
    expect(column(table, 'a')).toEqual([1, 2]);
    expect(column(table, 'b')).toEqual(['x\r\ny', 'z']);
  });

  it('refuses malformed quoting with its line', async () => {
    const cases: [string, number, RegExp][] = [
      ['a,b\n1,2\n3,"4\n', 3, /a quoted field is not closed/],
      ['a,b\n1,2\n3,4"5\n', 3, /a quote inside an unquoted field/],
      ['a,b\n1,"2"x\n', 2, /unexpected text after a closing quote/],
    ];
    for (const [text, line, message] of cases) {
      const err = await loadError(text);
      expect(err.place.line).toBe(line);
      expect(describeError(err)).toMatch(/malformed CSV/);
      expect(describeError(err)).toMatch(message);
    }
  });

  it('refuses lines that end in a carriage return alone', async () => {
    const err = await loadError('a,b\r1,2\r');
    expect(describeError(err)).toContain('carriage return alone');
  });
});

describe('bytes that are not UTF-8', () => {
  const latin1 = (text: string) => Buffer.from(text, 'latin1');

  it('refuses a Latin-1 category cell, naming its row and column', async () => {
    const err = await loadError(latin1('x,color\n1,tea\n2,caf\xe9\n3,caf\xe8\n'));
    expect(err.place).toMatchObject({ line: 3, row: 2, column: 'color' });
    expect(describeError(err)).toContain('not UTF-8');
  });

  it('refuses it in the target and in a column that is not kept', async () => {
    const target = await loadError(latin1('x,label\n1,caf\xe9\n2,caf\xe8\n'));
    expect(target.place).toMatchObject({ row: 1, column: 'label' });
    const file = csvFile(latin1('x,notes\n1,ok\n2,na\xefve\n'));
    const err = await loadCsv(file, { columns: () => [{ name: 'x' }] }).catch((e: unknown) => e as DataError);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).place).toMatchObject({ row: 2, column: 'notes' });
  });

  it('finds the bad cell after megabytes of good ones, across chunks', async () => {
    const good = 'x,y\n' + '1.25,caf\u00e9\n'.repeat(300_000); // about 3.6 MB, multi-byte characters across chunk edges
    const err = await loadError(Buffer.concat([Buffer.from(good), latin1('2,caf\xe8\n')]));
    expect(err.place).toMatchObject({ line: 300_002, row: 300_001, column: 'y' });
  });

  it('refuses invalid bytes in the header', async () => {
    const err = await loadError(latin1('caf\xe9,b\n1,2\n'));
    expect(err.place.line).toBe(1);
    expect(describeError(err)).toContain('not UTF-8');
  });
});

describe('quoting across chunks, against csv-parse', () => {
  it('reads what csv-parse reads from a generated file, whatever the chunk size', async () => {
    const random = seededRandom(5);
    const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)]!;
    for (const eol of ['\n', '\r\n']) {
      const cells = () =>
        pick([
          () => String(Math.round(random() * 1e6) / 1e3),
          () => pick(['red', 'green', 'blue', 'café', '日本']),
          () => `"${pick(['a,b', 'x, y, z', 'one'])}"`,
          () => `"line one${pick(['\n', '\r\n'])}line two"`,
          () => `"she said ""${pick(['yes', 'no'])}"""`,
          () => '',
        ])();
      let text = `a,b,c,d${eol}`;
      while (text.length < 20_000) text += `${cells()},${cells()},${cells()},${cells()}${eol}`;
      const expected = parse(text, { skip_empty_lines: true }) as string[][];
      const file = csvFile(`\uFEFF${text}`);
      for (const chunkBytes of [1, 2, 7, 64, 1000, 1 << 20]) {
        const table = await loadCsv(file, { columns: (h) => h.map((name) => ({ name, type: 'category' as const })), chunkBytes });
        expect(table.names).toEqual(['a', 'b', 'c', 'd']);
        expect(table.rowCount).toBe(expected.length - 1);
        for (const [j, name] of table.names.entries()) {
          expect(column(table, name)).toEqual(expected.slice(1).map((r) => (r[j] === '' ? null : r[j])));
        }
      }
    }
  });
});

describe('numbers read from bytes', () => {
  it('gives exactly what Number gives, for a subset of the decimal cells', () => {
    const random = seededRandom(9);
    const digits = (k: number) => Array.from({ length: k }, () => Math.floor(random() * 10)).join('');
    let fast = 0;
    for (let i = 0; i < 20_000; i++) {
      const sign = ['', '-', '+'][Math.floor(random() * 3)]!;
      const int = digits(Math.floor(random() * 12));
      const frac = random() < 0.7 ? `.${digits(Math.floor(random() * 12))}` : '';
      const exp = random() < 0.2 ? `e${['', '-', '+'][Math.floor(random() * 3)]}${digits(1 + Math.floor(random() * 3))}` : '';
      const text = random() < 0.02 ? pick(['', '.', '-', '1e', 'e5', '1.2.3', '0x10', 'NaN', '1_000']) : `${sign}${int}${frac}${exp}`;
      const value = parseDecimalBytes(Buffer.from(text), 0, text.length);
      if (Number.isNaN(value)) continue;
      fast++;
      expect(isDecimalCell(text), text).toBe(true);
      expect(Object.is(value, Number(text)), text).toBe(true);
    }
    expect(fast).toBeGreaterThan(10_000);
    function pick(xs: string[]): string {
      return xs[Math.floor(random() * xs.length)]!;
    }
  });
});
