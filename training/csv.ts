/**
 * Streams a CSV file into a columnar Table with csv-parse: the text is never held whole, each
 * cell is parsed into its column's typed array as it arrives, and the file's sha256 is computed
 * on the same pass.
 *
 * Column types: declared ones are used; otherwise a column's first non-missing cell decides
 * (a number → number, true/false → boolean, anything else → category) and every later cell
 * must agree, so text in a number column is an error that names its line and column, never
 * a NaN. Missing cells: empty, NA, N/A, null, None (training/cells.ts, shared with serving).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { CsvError, parse } from 'csv-parse';
import { FALSE_CELLS as FALSE, MISSING_CELLS as MISSING, TRUE_CELLS as TRUE, isDecimalCell } from './cells.ts';
import { DataError } from './errors.ts';
import type { FeatureType } from './spec.ts';
import type { Column, Table } from './table.ts';


export interface LoadCsvOptions {
  /**
   * Which columns to keep, given the header, each with a type when it is known (declared,
   * or from the training file); the rest are skipped unread.
   */
  columns: (header: string[]) => { name: string; type?: FeatureType }[];
  /** Columns that must exist; a missing one is named in the error (e.g. the target). */
  required?: { name: string; role: string }[];
  /** Called every 100,000 rows, for progress on a terminal. */
  onProgress?: (rows: number) => void;
}

export async function loadCsv(file: string, options: LoadCsvOptions): Promise<Table> {
  const hash = createHash('sha256');
  const input = createReadStream(file);
  input.on('data', (chunk) => hash.update(chunk));
  const parser = input.pipe(parse({ bom: true, info: true, skip_empty_lines: true, trim: true }));
  input.on('error', (err) => parser.destroy(err));

  let builders: ColumnBuilder[] | undefined;
  let header: string[] | undefined;
  let rowCount = 0;
  try {
    for await (const record of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const line = record.info.lines;
      if (!header) {
        header = record.record;
        builders = planColumns(file, header, options);
        continue;
      }
      rowCount++;
      for (const b of builders!) b.push(record.record[b.index]!, file, line, rowCount);
      if (options.onProgress && rowCount % 100_000 === 0) options.onProgress(rowCount);
    }
  } catch (err) {
    input.destroy(); // stop reading (and hashing) the rest of the file
    throw toDataError(err, file);
  }
  if (!header) throw new DataError('the file is empty (expected a header row and data rows)', { file });
  if (rowCount === 0) throw new DataError('the file has a header but no data rows', { file, line: 1 });
  const columns = new Map<string, Column>();
  for (const b of builders!) columns.set(b.name, b.finish(file));
  return { file, rowCount, names: builders!.map((b) => b.name), columns, sha256: hash.digest('hex') };
}

function toDataError(err: unknown, file: string): Error {
  if (err instanceof DataError) return err;
  if (err instanceof CsvError) {
    const e = err as CsvError & { lines?: number; record?: string[]; columns?: unknown[] };
    if (e.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH') {
      const found = e.record?.length;
      return new DataError(`wrong number of fields${found === undefined ? '' : `: found ${found}`}, the header has a different count`, {
        file,
        line: e.lines,
      });
    }
    return new DataError(`malformed CSV (${e.code}): ${e.message}`, { file, line: e.lines });
  }
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
    return new DataError(`cannot read the data file (${code})`, { file }, { cause: err });
  }
  return err instanceof Error ? err : new Error(String(err));
}

function planColumns(file: string, header: string[], options: LoadCsvOptions): ColumnBuilder[] {
  const seen = new Set<string>();
  for (const name of header) {
    if (name === '') throw new DataError('the header has an empty column name', { file, line: 1 });
    if (seen.has(name)) throw new DataError(`the header names column "${name}" twice`, { file, line: 1, column: name });
    seen.add(name);
  }
  for (const { name, role } of options.required ?? []) {
    if (!seen.has(name)) {
      throw new DataError(`${role} column "${name}" is not in the header (columns: ${header.join(', ')})`, { file, line: 1, column: name });
    }
  }
  return options.columns(header).map(({ name, type }) => {
    const index = header.indexOf(name);
    if (index < 0) {
      throw new DataError(`column "${name}" is not in the header (columns: ${header.join(', ')})`, { file, line: 1, column: name });
    }
    return new ColumnBuilder(name, index, type);
  });
}

/** Grows one column's typed array as rows stream in. */
class ColumnBuilder {
  readonly name: string;
  readonly index: number;
  private type: FeatureType | undefined;
  private readonly declared: boolean;
  private numbers = new Float64Array(1024);
  private codes = new Int32Array(1024);
  private readonly levels: string[] = [];
  private readonly levelIndex = new Map<string, number>();
  private length = 0;
  private typedAt = 0;

  constructor(name: string, index: number, type: FeatureType | undefined) {
    this.name = name;
    this.index = index;
    this.type = type;
    this.declared = type !== undefined;
  }

  push(cell: string, file: string, line: number, row: number): void {
    if (this.length === this.numbers.length && this.type !== 'category') this.numbers = grow(this.numbers);
    if (this.length === this.codes.length && this.type === 'category') this.codes = grow(this.codes);
    if (MISSING.has(cell)) {
      if (this.type === 'category') this.codes[this.length++] = -1;
      else this.numbers[this.length++] = NaN; // a column still untyped keeps NaN; a category later re-reads none of it
      return;
    }
    if (this.type === undefined) this.inferFrom(cell, row);
    switch (this.type) {
      case 'number': {
        if (!isDecimalCell(cell)) throw this.mismatch(cell, 'a number', file, line, row);
        const value = Number(cell);
        if (!Number.isFinite(value)) throw new DataError(`${cell} is too large for a number`, { file, line, row, column: this.name });
        this.numbers[this.length++] = value;
        return;
      }
      case 'boolean': {
        if (TRUE.has(cell)) this.numbers[this.length++] = 1;
        else if (FALSE.has(cell)) this.numbers[this.length++] = 0;
        else throw this.mismatch(cell, 'true or false', file, line, row);
        return;
      }
      default: {
        let code = this.levelIndex.get(cell);
        if (code === undefined) {
          code = this.levels.length;
          this.levels.push(cell);
          this.levelIndex.set(cell, code);
        }
        this.codes[this.length++] = code;
      }
    }
  }

  private inferFrom(cell: string, row: number): void {
    this.type = isDecimalCell(cell) ? 'number' : TRUE.has(cell) || FALSE.has(cell) ? 'boolean' : 'category';
    this.typedAt = row;
    if (this.type === 'category') {
      // Every earlier cell was missing: carry them over as missing codes.
      if (this.codes.length < this.numbers.length) this.codes = new Int32Array(this.numbers.length);
      this.codes.fill(-1, 0, this.length);
    }
  }

  private mismatch(cell: string, expected: string, file: string, line: number, row: number): DataError {
    const why = this.declared
      ? `the column is declared ${this.type}`
      : `the column holds ${this.type} values from row ${this.typedAt} on; declare "{name: ${this.name}, type: category}" in model.yaml if it is text`;
    return new DataError(`${JSON.stringify(cell.length > 40 ? `${cell.slice(0, 40)}…` : cell)} is not ${expected} (${why})`, {
      file,
      line,
      row,
      column: this.name,
    });
  }

  finish(file: string): Column {
    switch (this.type) {
      case 'category':
        return { kind: 'category', codes: this.codes.slice(0, this.length), levels: this.levels };
      case 'boolean':
        return { kind: 'boolean', values: this.numbers.slice(0, this.length) };
      case 'number':
        return { kind: 'number', values: this.numbers.slice(0, this.length) };
      default:
        throw new DataError('every cell of the column is missing', { file, column: this.name });
    }
  }
}

function grow<T extends Float64Array | Int32Array>(array: T): T {
  const next = new (array.constructor as new (n: number) => T)(array.length * 2);
  next.set(array);
  return next;
}
