/**
 * Grows one column's typed array as records stream in. Number and boolean cells are read from
 * the bytes (training/csv/decimal.ts); any other cell, and every cell that does not read on that
 * path, goes through its text, which decides type, missing value and error message.
 */
import { FALSE_CELLS as FALSE, MISSING_CELLS as MISSING, TRUE_CELLS as TRUE, isDecimalCell } from '../cells.ts';
import { DataError } from '../errors.ts';
import type { FeatureType } from '../spec.ts';
import type { Column } from '../table.ts';
import { ChunkedArray } from './chunked-array.ts';
import { parseDecimalBytes } from './decimal.ts';

/** Where a cell is, for its error message. */
export interface CellPlace {
  file: string;
  line: number;
  row: number;
}

/** A cell's text: trimmed offsets in `buf`, with `""` undone when it held escapes. */
export function cellText(buf: Buffer, start: number, end: number, escaped: boolean): string {
  const text = buf.toString('utf8', start, end);
  return escaped ? text.replaceAll('""', '"') : text;
}

const MAX_REMEMBERED = 1 << 16;

export class ColumnBuilder {
  readonly name: string;
  readonly index: number;
  private type: FeatureType | undefined;
  private readonly declared: boolean;
  private readonly numbers = new ChunkedArray(Float64Array);
  private codes = new ChunkedArray(Int32Array);
  private readonly levels: string[] = [];
  private readonly levelIndex = new Map<string, number>();
  private readonly levelByHash = new Map<number, number>();
  private readonly levelBytes: (Uint8Array | undefined)[] = [];
  private typedAt = 0;

  constructor(name: string, index: number, type: FeatureType | undefined) {
    this.name = name;
    this.index = index;
    this.type = type;
    this.declared = type !== undefined;
  }

  /**
   * The cell at `buf[start, end)` (trimmed); `escaped` when it held `""`. Line and row come apart,
   * not as a CellPlace: an object per cell was a tenth of the load in garbage collection.
   */
  pushBytes(buf: Buffer, start: number, end: number, escaped: boolean, file: string, line: number, row: number): void {
    if (!escaped) {
      if (this.type === 'number') {
        const value = start === end ? NaN : parseDecimalBytes(buf, start, end);
        if (start === end || value === value) {
          this.numbers.push(value);
          return;
        }
      } else if (this.type === 'category') {
        const code = this.knownLevel(buf, start, end);
        if (code >= 0) {
          this.codes.push(code);
          return;
        }
        const text = cellText(buf, start, end, false);
        this.push(text, { file, line, row });
        const known = this.levelIndex.get(text);
        if (known !== undefined) this.remember(buf, start, end, known);
        return;
      } else if (this.type === 'boolean') {
        const value = start === end ? NaN : booleanBytes(buf, start, end);
        if (start === end || value === value) {
          this.numbers.push(value);
          return;
        }
      }
    }
    this.push(cellText(buf, start, end, escaped), { file, line, row });
  }

  /** A trimmed cell's text. */
  push(cell: string, place: CellPlace): void {
    if (MISSING.has(cell)) {
      if (this.type === 'category') this.codes.push(-1);
      else this.numbers.push(NaN); // a column still untyped keeps NaN; a category later re-reads none of it
      return;
    }
    if (this.type === undefined) this.inferFrom(cell, place.row);
    switch (this.type) {
      case 'number': {
        if (!isDecimalCell(cell)) throw this.mismatch(cell, 'a number', place);
        const value = Number(cell);
        if (!Number.isFinite(value)) throw new DataError(`${cell} is too large for a number`, { ...place, column: this.name });
        this.numbers.push(value);
        return;
      }
      case 'boolean': {
        if (TRUE.has(cell)) this.numbers.push(1);
        else if (FALSE.has(cell)) this.numbers.push(0);
        else throw this.mismatch(cell, 'true or false', place);
        return;
      }
      default: {
        let code = this.levelIndex.get(cell);
        if (code === undefined) {
          code = this.levels.length;
          this.levels.push(cell);
          this.levelIndex.set(cell, code);
        }
        this.codes.push(code);
      }
    }
  }

  /**
   * The code of a level seen before, found from the cell's bytes by their hash without making a
   * string (a class column repeats a few labels a million times), or -1.
   */
  private knownLevel(buf: Buffer, start: number, end: number): number {
    const code = this.levelByHash.get(hashBytes(buf, start, end));
    if (code === undefined) return -1;
    const bytes = this.levelBytes[code]!;
    if (bytes.length !== end - start) return -1;
    for (let i = 0; i < bytes.length; i++) if (bytes[i] !== buf[start + i]) return -1;
    return code;
  }

  private remember(buf: Buffer, start: number, end: number, code: number): void {
    // Remembered once per level (a colliding level stays on the text path), and only for the first
    // levels: a column of a million distinct ids gains nothing from a second copy of each.
    if (code >= MAX_REMEMBERED || this.levelBytes[code] !== undefined) return;
    this.levelBytes[code] = Uint8Array.prototype.slice.call(buf, start, end);
    this.levelByHash.set(hashBytes(buf, start, end), code);
  }

  private inferFrom(cell: string, row: number): void {
    this.type = isDecimalCell(cell) ? 'number' : TRUE.has(cell) || FALSE.has(cell) ? 'boolean' : 'category';
    this.typedAt = row;
    if (this.type === 'category') {
      // Every earlier cell was missing: carry them over as missing codes.
      for (let i = 0; i < this.numbers.length; i++) this.codes.push(-1);
    }
  }

  private mismatch(cell: string, expected: string, place: CellPlace): DataError {
    const why = this.declared
      ? `the column is declared ${this.type}`
      : `the column holds ${this.type} values from row ${this.typedAt} on; declare "{name: ${this.name}, type: category}" in model.yaml if it is text`;
    return new DataError(`${JSON.stringify(cell.length > 40 ? `${cell.slice(0, 40)}…` : cell)} is not ${expected} (${why})`, {
      ...place,
      column: this.name,
    });
  }

  finish(file: string): Column {
    switch (this.type) {
      case 'category':
        return { kind: 'category', codes: this.codes.toArray(), levels: this.levels };
      case 'boolean':
        return { kind: 'boolean', values: this.numbers.toArray() };
      case 'number':
        return { kind: 'number', values: this.numbers.toArray() };
      default:
        throw new DataError('every cell of the column is missing', { file, column: this.name });
    }
  }
}

/** FNV-1a over the bytes: a lookup key only, every hit is checked byte by byte. */
function hashBytes(b: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h;
}

/** 1 or 0 for the spellings of TRUE_CELLS and FALSE_CELLS (training/cells.ts), NaN for anything else. */
function booleanBytes(b: Uint8Array, start: number, end: number): number {
  const n = end - start;
  if (n !== 4 && n !== 5) return NaN;
  let text = '';
  for (let i = start; i < end; i++) text += String.fromCharCode(b[i]!);
  return TRUE.has(text) ? 1 : FALSE.has(text) ? 0 : NaN;
}

