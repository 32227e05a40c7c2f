/**
 * Cuts a CSV byte stream into pieces of whole records, so that each piece can go through the same
 * `encodeCsv` as the synchronous route (one code path) while the file is never held whole.
 *
 * A newline ends a record unless it is inside quotes; RFC 4180 doubles a quote inside a quoted
 * field, so "inside quotes" is an odd count of `"` since the record began. The first record is the
 * header, handed back on its own.
 */
import { StringDecoder } from 'node:string_decoder';
import { MlshipError } from '../../training/errors.ts';

export interface CsvPiece {
  /** The header record, without its newline (BOM removed). */
  header: string;
  /** Whole records, each ending with a newline but perhaps the last piece's last one. */
  text: string;
  /** The 1-based line of the input on which `text` starts. */
  firstLine: number;
  /** Input bytes read so far. */
  bytesRead: number;
}

export class CsvRecordTooLong extends MlshipError {}

export interface ChunkOptions {
  /** About this many characters per piece. */
  pieceChars?: number;
  /** A record longer than this is refused (it is most likely an unclosed quote). */
  maxRecordChars?: number;
}

export async function* csvPieces(input: AsyncIterable<Buffer | string> | Iterable<Buffer | string>, options: ChunkOptions = {}): AsyncGenerator<CsvPiece> {
  const pieceChars = options.pieceChars ?? 1 << 20;
  const maxRecord = options.maxRecordChars ?? 64 << 20;
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let scan = 0; // carry[0, scan) is scanned
  let inQuote = false;
  let boundary = 0; // carry[0, boundary) is whole records
  let headerEnd = 0; // just after the first record, once seen
  let header: string | undefined;
  let headerLines = 0;
  let line = 1; // line of carry[0]
  let bytesRead = 0;

  // Scans on from `scan`; stops just after the first record end at or past `pieceChars` once the
  // header is taken, so a piece is about `pieceChars` whatever the size of the chunks read.
  const scanTo = () => {
    for (let i = scan; i < carry.length; i++) {
      const ch = carry.charCodeAt(i);
      if (ch === 34) inQuote = !inQuote;
      else if (ch === 10 && !inQuote) {
        boundary = i + 1;
        if (headerEnd === 0) headerEnd = boundary;
        else if (header !== undefined && boundary >= pieceChars) {
          scan = i + 1;
          return;
        }
      }
    }
    scan = carry.length;
  };
  const take = (end: number): string => {
    const text = carry.slice(0, end);
    carry = carry.slice(end);
    scan -= end;
    boundary -= end;
    return text;
  };
  const countLines = (text: string) => {
    let n = 0;
    for (let k = text.indexOf('\n'); k >= 0; k = text.indexOf('\n', k + 1)) n++;
    return n;
  };
  const takeHeader = (): boolean => {
    if (header !== undefined || headerEnd === 0) return header !== undefined;
    let first = take(headerEnd);
    headerLines = countLines(first);
    line += headerLines;
    if (first.charCodeAt(0) === 0xfeff) first = first.slice(1);
    header = first.replace(/\r?\n$/, '');
    // the rest starts on a record: scan it again as pieces
    scan = 0;
    inQuote = false;
    boundary = 0;
    scanTo();
    return true;
  };
  const tooLong = () => scan === carry.length && carry.length - boundary > maxRecord;
  function* pieces(): Generator<CsvPiece> {
    while (boundary >= pieceChars) {
      const firstLine = line;
      const text = take(boundary);
      line += countLines(text);
      yield { header: header!, text, firstLine, bytesRead };
      scanTo();
    }
  }

  for await (const chunk of input) {
    bytesRead += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    carry += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    scanTo();
    if (!takeHeader()) {
      if (carry.length > maxRecord) throw new CsvRecordTooLong(`the CSV header is longer than ${maxRecord} characters`, { line: 1 });
      continue;
    }
    yield* pieces();
    if (tooLong()) throw new CsvRecordTooLong(`CSV line ${line}: a record longer than ${maxRecord} characters (is a quote not closed?)`, { line });
  }
  carry += decoder.end();
  scanTo();
  if (!takeHeader()) {
    // the whole input is one line: the header without a newline, or nothing
    if (carry.length > 0) {
      header = (carry.charCodeAt(0) === 0xfeff ? carry.slice(1) : carry).replace(/\r$/, '');
      carry = '';
    }
  } else {
    yield* pieces();
  }
  if (header !== undefined) yield { header, text: carry, firstLine: line, bytesRead };
}
