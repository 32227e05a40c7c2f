/**
 * Splits CSV bytes into records, field by field as offsets into the buffer (no string per cell):
 * RFC 4180 with `,` between fields, LF or CRLF between records, `"` quoting with `""` for a quote
 * and newlines inside quotes. Cells are trimmed of ASCII spaces and tabs only (training/cells.ts),
 * inside quotes too, so a cell reads the same quoted or not; spaces around a quoted field are
 * allowed. Lines without a quote (nearly all of a numeric file) take a split-on-comma path.
 *
 * Why not csv-parse here: record by record it spent 6–10 s of the 13.9 s of `mlship train` at
 * 1M × 8 (README, "Training speed"), and its `trim` also takes Unicode spaces (a no-break space)
 * outside quotes, which issue 16.7 makes data. tests/training/csv-records.test.ts checks this
 * reader against csv-parse on generated quoted files.
 */
import { isTrimmed } from '../cells.ts';

const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;

/** A record's fields: `[starts[i], ends[i])` in the buffer, already trimmed. */
export interface Fields {
  /** How many fields the record has (only the first `starts.length` are recorded). */
  count: number;
  starts: Int32Array;
  ends: Int32Array;
  /** 1 where a field holds `""` escapes, which its text must undo. */
  escaped: Uint8Array;
  /** Line feeds the record spans, its terminator included (more than 1 with newlines in quotes). */
  newlines: number;
}

export function fieldsFor(capacity: number): Fields {
  return { count: 0, starts: new Int32Array(capacity), ends: new Int32Array(capacity), escaped: new Uint8Array(capacity), newlines: 0 };
}

/** A CSV syntax error in a record; the caller names the file and line. */
export class CsvSyntaxError extends Error {}

export class RecordReader {
  private buf: Uint8Array = new Uint8Array(0);
  private end = 0;
  private final = false;
  /** Position of the next quote at or after the last record read (end when none). */
  private nextQuote = 0;

  /** Reads records from `buf[0, end)`; `final` when no more bytes follow. */
  reset(buf: Uint8Array, end: number, final: boolean): void {
    this.buf = buf;
    this.end = end;
    this.final = final;
    this.nextQuote = -1;
  }

  /**
   * Reads the record at `pos` into `out` and returns where the next one starts, or -1 when the
   * record does not end before `end` and more bytes follow. An empty line has `count` 0.
   */
  read(pos: number, out: Fields): number {
    const { buf, end } = this;
    if (this.nextQuote < pos) {
      const q = (buf as Buffer).indexOf(QUOTE, pos);
      this.nextQuote = q < 0 ? end : q;
    }
    let nl = (buf as Buffer).indexOf(LF, pos);
    if (nl < 0 || nl >= end) {
      if (!this.final) return -1;
      nl = end;
    }
    if (this.nextQuote < nl) return this.readQuoted(pos, out);
    let lineEnd = nl;
    if (lineEnd > pos && buf[lineEnd - 1] === CR) lineEnd--;
    out.newlines = nl < end ? 1 : 0;
    if (lineEnd === pos) {
      out.count = 0;
      return nl + 1;
    }
    const { starts, ends, escaped } = out;
    const capacity = starts.length;
    let n = 0;
    let s = pos;
    for (let i = pos; i <= lineEnd; i++) {
      if (i < lineEnd && buf[i] !== COMMA) continue;
      if (n < capacity) {
        let a = s;
        let b = i;
        while (a < b && isTrimmed(buf[a]!)) a++;
        while (b > a && isTrimmed(buf[b - 1]!)) b--;
        starts[n] = a;
        ends[n] = b;
        escaped[n] = 0;
      }
      n++;
      s = i + 1;
    }
    out.count = n;
    return nl + 1;
  }

  /** A record with a quote in its first line: field by field, quotes may hold commas and newlines. */
  private readQuoted(pos: number, out: Fields): number {
    const { buf, end, final } = this;
    const capacity = out.starts.length;
    let newlines = 0;
    let n = 0;
    let i = pos;
    for (;;) {
      while (i < end && isTrimmed(buf[i]!)) i++;
      let a: number;
      let b: number;
      let escapes = 0;
      if (i < end && buf[i] === QUOTE) {
        a = ++i;
        for (;;) {
          const q = (buf as Buffer).indexOf(QUOTE, i);
          if (q < 0 || q >= end) {
            if (!final) return -1;
            throw new CsvSyntaxError('a quoted field is not closed');
          }
          if (q + 1 >= end && !final) return -1; // a quote that may be the first of `""`
          for (let k = i; k < q; k++) if (buf[k] === LF) newlines++;
          if (buf[q + 1] === QUOTE) {
            escapes = 1;
            i = q + 2;
            continue;
          }
          b = q;
          i = q + 1;
          break;
        }
        while (i < end && isTrimmed(buf[i]!)) i++;
        if (i < end && buf[i] === CR) {
          if (i + 1 >= end && !final) return -1; // a CR that may be the first of CRLF
          if (i + 1 >= end || buf[i + 1] === LF) i++; // CRLF, or a CR ending the file
        }
        if (i < end && buf[i] !== COMMA && buf[i] !== LF) {
          throw new CsvSyntaxError('unexpected text after a closing quote (a field that starts with a quote must end with one)');
        }
        while (a < b && isTrimmed(buf[a]!)) a++;
        while (b > a && isTrimmed(buf[b - 1]!)) b--;
      } else {
        a = i;
        while (i < end && buf[i] !== COMMA && buf[i] !== LF) {
          if (buf[i] === QUOTE) throw new CsvSyntaxError('a quote inside an unquoted field (quote the whole field and double the quote)');
          i++;
        }
        if (i >= end && !final) return -1;
        b = i;
        if (b > a && buf[b - 1] === CR && (i >= end || buf[i] === LF)) b--; // CRLF
        while (b > a && isTrimmed(buf[b - 1]!)) b--;
      }
      if (n < capacity) {
        out.starts[n] = a;
        out.ends[n] = b;
        out.escaped[n] = escapes;
      }
      n++;
      if (i < end && buf[i] === COMMA) {
        i++;
        continue;
      }
      if (i < end) {
        newlines++; // the record's line feed
        i++;
      }
      break;
    }
    out.count = n;
    out.newlines = newlines;
    return i;
  }
}
