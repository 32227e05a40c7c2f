/**
 * Streams a CSV file into a columnar Table in one pass: the file is read in 1 MiB chunks into one
 * reused buffer, each chunk hashed (sha256) and split into records (training/csv/records.ts) as it
 * arrives, and each kept cell parsed from the bytes into its column's typed array
 * (training/csv/column-builder.ts). The text is never held whole, and numbers never become strings.
 *
 * The bytes must be UTF-8: a chunk's complete lines are checked at once (`buffer.isUtf8`), and
 * only a chunk that fails is read cell by cell, to name the row and column of the first bad cell.
 *
 * Column types: declared ones are used; otherwise a column's first non-missing cell decides
 * (a number → number, true/false → boolean, anything else → category) and every later cell
 * must agree, so text in a number column is an error that names its line and column, never
 * a NaN. Missing cells: empty, NA, N/A, null, None (training/cells.ts, shared with serving).
 */
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { DataError } from './errors.ts';
import type { FeatureType } from './spec.ts';
import type { Column, Table } from './table.ts';
import { ColumnBuilder, cellText } from './csv/column-builder.ts';
import type { Fields } from './csv/records.ts';
import { CsvSyntaxError, RecordReader, fieldsFor } from './csv/records.ts';

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
  /** Bytes read at a time (1 MiB); tests make it small to put chunk edges inside records. */
  chunkBytes?: number;
}

const CHUNK_BYTES = 1 << 20;
/** Fields recorded for the header, which may be wide; data records need only the header's count. */
const HEADER_CAPACITY = 1 << 16;

export async function loadCsv(file: string, options: LoadCsvOptions): Promise<Table> {
  const hash = createHash('sha256');
  const loader = new Loader(file, options);
  const chunkBytes = options.chunkBytes ?? CHUNK_BYTES;
  let handle: FileHandle | undefined;
  try {
    handle = await open(file, 'r');
    // One buffer, reused: the unfinished record at its start, the next chunk read after it. A new
    // buffer per chunk (a stream's, then a concatenation) made ~100 MB of garbage per 50 MB file.
    let buf = Buffer.allocUnsafe(2 * chunkBytes);
    let tail = 0;
    for (;;) {
      if (buf.length - tail < chunkBytes) {
        const bigger = Buffer.allocUnsafe(Math.max(2 * buf.length, tail + chunkBytes)); // a record longer than a chunk
        buf.copy(bigger, 0, 0, tail);
        buf = bigger;
      }
      const { bytesRead } = await handle.read(buf, tail, chunkBytes, null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(tail, tail + bytesRead));
      const end = tail + bytesRead;
      const used = loader.consume(buf.subarray(0, end), false);
      buf.copy(buf, 0, used, end);
      tail = end - used;
    }
    if (tail > 0) loader.consume(buf.subarray(0, tail), true);
  } catch (err) {
    throw toDataError(err, file);
  } finally {
    await handle?.close();
  }
  return loader.finish(hash.digest('hex'));
}

/** The parse state across chunks: the header, the columns, the line and row counts. */
class Loader {
  private readonly reader = new RecordReader();
  private fields: Fields = fieldsFor(HEADER_CAPACITY);
  private header: string[] | undefined;
  private builders: ColumnBuilder[] = [];
  private line = 1;
  private rowCount = 0;
  private started = false;
  private readonly file: string;
  private readonly options: LoadCsvOptions;

  constructor(file: string, options: LoadCsvOptions) {
    this.file = file;
    this.options = options;
  }

  /** Reads the complete records of `buf` (all of it when `final`); returns where the rest starts. */
  consume(buf: Buffer, final: boolean): number {
    let pos = 0;
    if (!this.started) {
      if (buf.length < 3 && !final) return 0; // wait for the bytes that may be a BOM
      this.started = true;
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) pos = 3;
    }
    const complete = final ? buf.length : buf.lastIndexOf(10) + 1;
    if (complete <= pos) return pos;
    const checked = isUtf8(buf.subarray(pos, complete));
    this.reader.reset(buf, buf.length, final);
    const { file, options } = this;
    while (pos < complete) {
      const fields = this.fields; // the header's are replaced by the data records' after line 1
      let next: number;
      try {
        next = this.reader.read(pos, fields);
      } catch (err) {
        if (err instanceof CsvSyntaxError) throw new DataError(`malformed CSV: ${err.message}`, { file, line: this.line });
        throw err;
      }
      if (next < 0) break;
      const line = this.line;
      if (fields.count > 0) {
        if (!checked) this.checkUtf8(buf, line);
        if (this.header === undefined) this.readHeader(buf, pos, next);
        else {
          if (fields.count !== this.header.length) {
            throw new DataError(`wrong number of fields: found ${fields.count}, the header has a different count`, { file, line });
          }
          const row = ++this.rowCount;
          const { starts, ends, escaped } = fields;
          const builders = this.builders;
          for (let k = 0; k < builders.length; k++) {
            const b = builders[k]!;
            b.pushBytes(buf, starts[b.index]!, ends[b.index]!, escaped[b.index] === 1, file, line, row);
          }
          if (options.onProgress && row % 100_000 === 0) options.onProgress(row);
        }
      }
      this.line += fields.newlines;
      pos = next;
    }
    return pos;
  }

  /** The first cell of the record that is not UTF-8, by row and column (only for a chunk that failed the check). */
  private checkUtf8(buf: Buffer, line: number): void {
    const { count, starts, ends } = this.fields;
    for (let i = 0; i < Math.min(count, starts.length); i++) {
      if (isUtf8(buf.subarray(starts[i], ends[i]))) continue;
      const column = this.header?.[i];
      throw new DataError('the cell is not UTF-8 text (the file may be in another encoding, such as Latin-1: save it as UTF-8)', {
        file: this.file,
        line,
        ...(this.header ? { row: this.rowCount + 1 } : {}),
        ...(column !== undefined ? { column } : {}),
      });
    }
  }

  private readHeader(buf: Buffer, start: number, end: number): void {
    const { file, fields, options } = this;
    if (fields.count > fields.starts.length) throw new DataError(`the header has more than ${fields.starts.length} columns`, { file, line: 1 });
    const cr = buf.indexOf(13, start);
    if (cr >= 0 && cr < end && buf[cr + 1] !== 10) {
      throw new DataError('a line ends in a carriage return alone: save the file with LF or CRLF line endings', { file, line: 1 });
    }
    const header = Array.from({ length: fields.count }, (_, i) => cellText(buf, fields.starts[i]!, fields.ends[i]!, fields.escaped[i] === 1));
    this.builders = planColumns(file, header, options);
    this.header = header;
    this.fields = fieldsFor(header.length);
  }

  finish(sha256: string): Table {
    const { file, header, builders, rowCount } = this;
    if (!header) throw new DataError('the file is empty (expected a header row and data rows)', { file });
    if (rowCount === 0) throw new DataError('the file has a header but no data rows', { file, line: 1 });
    const columns = new Map<string, Column>();
    for (const b of builders) columns.set(b.name, b.finish(file));
    return { file, rowCount, names: builders.map((b) => b.name), columns, sha256 };
  }
}

function toDataError(err: unknown, file: string): Error {
  if (err instanceof DataError) return err;
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
