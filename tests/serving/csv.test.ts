// The request CSV reader and the response CSV writer.
import { describe, expect, it } from 'vitest';
import { csvField, encodeCsv, forEachCsvRecord, formatCsv, plainDecimal } from '../../serving/csv.ts';
import type { RequestError } from '../../serving/errors.ts';
import { servedExamples, trainedMixed } from './helpers.ts';

function records(text: string): [string[], number][] {
  const out: [string[], number][] = [];
  forEachCsvRecord(text, (fields, line) => void out.push([[...fields], line]));
  return out;
}

describe('forEachCsvRecord', () => {
  it('splits plain lines, trims unquoted cells, skips empty lines and a BOM, takes CRLF', () => {
    expect(records('\ufeffa,b\r\n 1 ,\t2\r\n\r\n\n3,4')).toEqual([
      [['a', 'b'], 1],
      [['1', '2'], 2],
      [['3', '4'], 5],
    ]);
    expect(records('a,b,\n1,,\n')).toEqual([
      [['a', 'b', ''], 1],
      [['1', '', ''], 2],
    ]);
  });

  it('quoted fields: commas, doubled quotes, newlines inside; line numbers stay right', () => {
    expect(records('a,b\n"x, y","say ""hi"""\n"multi\nline",2\n3,"4"\r\nlast,"q"')).toEqual([
      [['a', 'b'], 1],
      [['x, y', 'say "hi"'], 2],
      [['multi\nline', '2'], 3],
      [['3', '4'], 5],
      [['last', 'q'], 6],
    ]);
    expect(records('"",x\n')).toEqual([[['', 'x'], 1]]);
  });

  it('cells read the same quoted or not: only ASCII spaces and tabs are trimmed (issue 16 item 7)', () => {
    expect(records('a,b\n 1 ,\t2\t\n" 3 ","\t4"\n')).toEqual([
      [['a', 'b'], 1],
      [['1', '2'], 2],
      [['3', '4'], 3],
    ]);
    const nbsp = '\u00a0';
    // a no-break space, a vertical tab, a form feed are data, before and after the first quote alike
    expect(records(`a,b\n${nbsp}1,\v2\n`)).toEqual([
      [['a', 'b'], 1],
      [[`${nbsp}1`, '\v2'], 2],
    ]);
    expect(records(`a,b\n"${nbsp}1",${nbsp}2\f\n`)).toEqual([
      [['a', 'b'], 1],
      [[`${nbsp}1`, `${nbsp}2\f`], 2],
    ]);
    // a blank line of spaces is skipped in both parts
    expect(records('a\n  \n"b"\n \t\nc\n')).toEqual([
      [['a'], 1],
      [['b'], 3],
      [['c'], 5],
    ]);
  });

  it('malformed quoting names the line', () => {
    const error = (text: string) => {
      try {
        records(text);
      } catch (err) {
        return err as RequestError;
      }
      throw new Error('no error');
    };
    expect(error('a\n"b\nc\n').message).toBe('CSV line 2: a quoted field is not closed');
    expect(error('a\nb"c\n').message).toMatch(/^CSV line 2: a quote inside an unquoted field/);
    expect(error('a\n"b\nc"x\n').message).toBe('CSV line 3: unexpected text after a closing quote');
    expect(error('a\n"b"\nc"d\n').status).toBe(400);
  });
});

describe('encodeCsv', () => {
  it('reads plain decimals exactly like Number(), and refuses other spellings', async () => {
    const iris = (await servedExamples()).find((m) => m.name === 'iris')!;
    const header = 'sepal_length,sepal_width,petal_length,petal_width\n';
    const ok = ['1', '-2.5', '+3', '.5', '5.', '1e2', '1E-2', '-0', '007', '123456789012345678901234567890', '0.1000000000000000055511151231257827'];
    const { x } = encodeCsv(iris, header + ok.map((v) => `${v},${v},${v},${v}`).join('\n'), 100);
    expect(Array.from({ length: ok.length }, (_, r) => x[r * 4])).toEqual(ok.map(Number));
    for (const bad of ['0x10', '1_000', '1e', 'e5', '.', '+', '1.2.3', '١', 'NaN', 'inf', '-Infinity', '1e999']) {
      expect(() => encodeCsv(iris, `${header}${bad},1,1,1\n`, 100), bad).toThrow(/\(row 0\), feature "sepal_length": expected a finite number/);
    }
    // missing tokens are imputed
    const imputed = encodeCsv(iris, `${header},NA,N/A,null\nNULL,None,1,1\n`, 100);
    const impute = iris.features.map((f) => (f.type === 'number' ? f.impute : NaN));
    expect(Array.from(imputed.x.subarray(0, 4))).toEqual([impute[0], impute[1], impute[2], impute[3]]);
  });

  it('a number cell with a leading no-break space is a 400 naming row and column, quoted or not', async () => {
    const iris = (await servedExamples()).find((m) => m.name === 'iris')!;
    const header = 'sepal_length,sepal_width,petal_length,petal_width\n';
    for (const cell of ['\u00a05.1', '"\u00a05.1"']) {
      let error: RequestError | undefined;
      try {
        encodeCsv(iris, `${header}5.0,3.5,1.4,0.2\n5.0,${cell},1.4,0.2\n`, 100);
      } catch (err) {
        error = err as RequestError;
      }
      expect(error?.status, cell).toBe(400);
      expect(error?.body(), cell).toMatchObject({ row: 1, line: 3, feature: 'sepal_width' });
    }
    // ASCII spaces and tabs inside quotes are trimmed like outside them
    const { x } = encodeCsv(iris, `${header}" 5.1\t",\t3.5 ,"1.4",0.2\n`, 100);
    expect(Array.from(x.subarray(0, 4))).toEqual([5.1, 3.5, 1.4, 0.2]);
  });

  it('the plain-decimal fast path reads exactly what Number() reads, and leaves the rest to the general path', () => {
    let seed = 7;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let k = 0; k < 50_000; k++) {
      const int = String(Math.floor(next() * 10 ** Math.floor(next() * 9)));
      const frac = next() < 0.8 ? `.${String(Math.floor(next() * 10 ** 8)).padStart(Math.floor(next() * 8) + 1, '0')}` : '';
      const cell = `${next() < 0.2 ? '-' : next() < 0.05 ? '+' : ''}${int}${frac}`.slice(0, 17);
      const fast = plainDecimal(cell);
      if (!Number.isNaN(fast)) expect(Object.is(fast, Number(cell)), cell).toBe(true);
    }
    for (const cell of ['-0', '007', '.5', '5.', '+3', '0.1', '9007199254740.99', '999999999999999']) expect(Object.is(plainDecimal(cell), Number(cell)), cell).toBe(true);
    for (const cell of ['', '.', '-', '1e5', '1.2.3', '0x10', ' 1', '1234567890123456', 'NaN', '1_0']) expect(plainDecimal(cell), cell).toBeNaN();
  });

  it('booleans and categories', async () => {
    const { model } = await trainedMixed();
    const { x, rows } = encodeCsv(model, 'size,member,color\n1,true,red\n2,FALSE,\n3,,"blue"\n', 10);
    expect(rows).toBe(3);
    const enc = model.predictor.encoding;
    const at = (r: number, feature: string) => r * enc.width + enc.offsets[model.featureIndex.get(feature)!]!;
    expect(x[at(0, 'member')]).toBe(1);
    expect(x[at(1, 'member')]).toBe(0);
    const memberImpute = model.features.find((f) => f.name === 'member')!;
    if (memberImpute.type !== 'boolean') throw new Error('member is a boolean');
    expect(x[at(2, 'member')]).toBe(memberImpute.impute);
  });

  it('counts rows against the limit while reading', async () => {
    const iris = (await servedExamples()).find((m) => m.name === 'iris')!;
    const text = `sepal_length,sepal_width,petal_length,petal_width\n${'1,2,3,4\n'.repeat(11)}`;
    expect(encodeCsv(iris, text, 11).rows).toBe(11);
    expect(() => encodeCsv(iris, text, 10)).toThrow(/too many rows/);
  });
});

describe('formatCsv', () => {
  it('quotes fields that need it', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField(' padded')).toBe('" padded"');
  });

  it('regression values and class labels', async () => {
    const models = await servedExamples();
    const diabetes = models.find((m) => m.name === 'diabetes')!;
    expect(formatCsv(diabetes, undefined, Float64Array.from([1.5, 200]), undefined)).toBe('prediction\n1.5\n200\n');
    const iris = models.find((m) => m.name === 'iris')!;
    expect(formatCsv(iris, Int32Array.from([2, 0]), undefined, Float64Array.from([0, 0.25, 0.75, 1, 0, 0]))).toBe(
      'prediction,probability_setosa,probability_versicolor,probability_virginica\nvirginica,0,0.25,0.75\nsetosa,1,0,0\n',
    );
  });
});

describe('encodeCsv reads a plain line from the text as it reads the same cells split', () => {
  it('same matrix for plain lines and for the same lines after a quote (the general path)', async () => {
    const { model } = await trainedMixed();
    const iris = (await servedExamples()).find((m) => m.name === 'iris')!;
    const lines = ['5.1,3.5,1.4,0.2', ' 6 ,\t3.0,NA,-1e2', '+.5,5.,007,', '1.23456789012345,12345678901234567,0.1,-0'];
    const header = 'petal_width,sepal_length,petal_length,sepal_width'; // not the model's order
    const plain = encodeCsv(iris, `${header}\n${lines.join('\n')}\n`, 100);
    const quoted = encodeCsv(iris, `${header}\n"0",0,0,0\n${lines.join('\n')}\n`, 100);
    expect(Array.from(plain.x)).toEqual(Array.from(quoted.x.subarray(4)));
    const mixedLines = 'color,member,size\nred,true,1.5\n blue ,FALSE,\n,,NA\n';
    expect(Array.from(encodeCsv(model, mixedLines, 100).x)).toEqual(Array.from(encodeCsv(model, `color,member,size\n"green",true,1\n${mixedLines.split('\n').slice(1).join('\n')}`, 100).x.subarray(model.predictor.width)));
  });
});

describe('encodeCsv: the one-pass reader of decimal lines', () => {
  it('generated lines read the same as through the general path (after a quote), -0 and all', async () => {
    const iris = (await servedExamples()).find((m) => m.name === 'iris')!;
    let seed = 11;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(xs: T[]) => xs[Math.floor(next() * xs.length)]!;
    const cell = () => {
      const digits = String(Math.floor(next() * 10 ** Math.floor(next() * 18)));
      const number = pick([digits, `${digits}.${Math.floor(next() * 1000)}`, `.${digits}`, `${digits}.`, `-${digits}`, `+${digits}`, '-0', `${digits}e${Math.floor(next() * 5)}`]);
      return `${pick(['', ' ', '\t', '  '])}${pick([number, number, number, number, '', 'NA'])}${pick(['', ' ', '\t'])}`;
    };
    const lines = Array.from({ length: 5_000 }, () => Array.from({ length: 4 }, cell).join(','));
    const header = 'petal_width,sepal_length,petal_length,sepal_width';
    const plain = encodeCsv(iris, `${header}\n${lines.join('\n')}\n`, 10_000);
    const general = encodeCsv(iris, `${header}\n"0",0,0,0\n${lines.join('\r\n')}\n`, 10_000).x.subarray(4);
    expect(plain.rows).toBe(lines.length);
    for (let i = 0; i < plain.x.length; i++) if (!Object.is(plain.x[i], general[i])) expect.fail(`row ${Math.floor(i / 4)} ("${lines[Math.floor(i / 4)]}"): ${plain.x[i]} vs ${general[i]}`);
  });
});
