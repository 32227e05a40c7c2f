/**
 * CSV in, CSV out, for bulk work on `POST /v1/models/{name}:predict` with `Content-Type: text/csv`.
 *
 * In (csv-parse, after a fast path for lines without quotes): RFC 4180 with a header row of feature names: every feature once, no other column (a 400
 * names a missing, unknown or repeated one); any column order; `,` separated; `"` quoting with
 * `""` for a quote; LF or CRLF; a UTF-8 BOM and empty lines are skipped; every cell, quoted or not,
 * loses the ASCII spaces and tabs around it and nothing else (a no-break space is data).
 * A cell that is empty or NA, N/A, null, NULL or None is missing (imputed, like `null` in JSON).
 * `NaN`, `Infinity` and numbers too large for a double are refused in number columns: a 400 that
 * names the row (from 0, not counting the header), the line and the feature.
 *
 * Out: `text/csv` with a header and one line per input row, in order: `prediction`, then with
 * probabilities one `probability_<class>` column per class in the model's class order.
 */
import { CsvError, parse } from 'csv-parse/sync';
import type { RawValue } from '../training/table.ts';
import { FALSE_CELLS as FALSE, MISSING_CELLS as MISSING, TRUE_CELLS as TRUE, isDecimalCell, trimCell } from '../training/cells.ts';
import { EncodingError, encodeValue } from '../training/encoding.ts';
import { badRequest, clip, RequestError } from './errors.ts';
import type { EncodedRows } from './inputs.ts';
import { tooManyRows } from './inputs.ts';
import type { ServedModel } from './model.ts';

const NOT_FINITE = /^[+-]?(?:nan|inf|infinity)$/i;

export class CsvSyntaxError extends RequestError {
  constructor(message: string, line: number) {
    super(400, `CSV line ${line}: ${message}`, { line });
  }
}

/**
 * Calls `onRecord` for each record (an array of cells) with the 1-based line it starts on.
 * Lines before the first quote are split directly: the common case (numbers, plain names), and
 * csv-parse costs about five times as much on it (100,000 rows: 12 ms split, 57–80 ms csv-parse,
 * in process). From the line with the first quote on, csv-parse reads the rest (quoting, `""`,
 * newlines inside quotes). `onPlainLine`, when given, may read a plain line itself, from the
 * text, without the array of cells (it returns false to have the line split as usual).
 */
export function forEachCsvRecord(text: string, onRecord: (fields: string[], line: number) => void, onPlainLine?: PlainLineReader): void {
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const firstQuote = text.indexOf('"', pos);
  const plainEnd = firstQuote < 0 ? text.length : Math.max(pos, text.lastIndexOf('\n', firstQuote) + 1);
  let line = 1;
  while (pos < plainEnd) {
    const nl = text.indexOf('\n', pos);
    let end = nl < 0 ? text.length : nl;
    const next = end + 1;
    if (end > pos && text.charCodeAt(end - 1) === 13) end--; // CRLF
    if (!onPlainLine?.(pos, end, line)) {
      const fields = text.slice(pos, end).split(',');
      for (let i = 0; i < fields.length; i++) {
        const f = fields[i]!;
        if (f.length > 0 && (isBlank(f.charCodeAt(0)) || isBlank(f.charCodeAt(f.length - 1)))) fields[i] = trimCell(f);
      }
      if (!(fields.length === 1 && fields[0] === '')) onRecord(fields, line); // else an empty line
    }
    pos = next;
    line++;
  }
  if (plainEnd < text.length) parseQuoted(text.slice(plainEnd), line, onRecord);
}

/** An ASCII space or tab: all that is trimmed from a cell (training/cells.ts `trimCell`). */
function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

/** Reads the plain line `text[start, end)` (1-based `line`) itself, or returns false. */
export type PlainLineReader = (start: number, end: number, line: number) => boolean;

const SYNTAX: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is not closed',
  INVALID_OPENING_QUOTE: 'a quote inside an unquoted field (quote the whole field and double the quote)',
  CSV_INVALID_CLOSING_QUOTE: 'unexpected text after a closing quote',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'unexpected text after a closing quote',
};

/** csv-parse over `text`, which starts on line `firstLine`; its errors become CsvSyntaxError with the line. */
function parseQuoted(text: string, firstLine: number, onRecord: (fields: string[], line: number) => void): void {
  // LF only: csv-parse counts a CRLF after a quote as two lines.
  const bytes = Buffer.from(text.replaceAll('\r\n', '\n'));
  let endLine = 0; // line (in `text`) the last record ended on
  let endByte = 0;
  try {
    parse(bytes, {
      bom: true,
      // csv-parse's trim also removes Unicode spaces (a no-break space): cells are trimmed by trimCell instead.
      trim: false,
      skip_empty_lines: true,
      relax_column_count: true,
      record_delimiter: '\n',
      on_record: (fields: string[], context) => {
        let inside = 0;
        for (const f of fields) for (let k = f.indexOf('\n'); k >= 0; k = f.indexOf('\n', k + 1)) inside++;
        endLine = context.lines;
        endByte = context.bytes;
        for (let i = 0; i < fields.length; i++) fields[i] = trimCell(fields[i]!);
        if (!(fields.length === 1 && fields[0] === '')) onRecord(fields, firstLine - 1 + context.lines - inside); // else a blank line
        return null; // nothing collected: the caller consumes each record
      },
    });
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    const message = SYNTAX[err.code] ?? err.message;
    // An unclosed quote is reported where its record starts (csv-parse: where the text ends).
    const line = err.code === 'CSV_QUOTE_NOT_CLOSED' ? endLine + 1 + blankLines(bytes, endByte) : (err as unknown as { lines: number }).lines;
    throw new CsvSyntaxError(message, firstLine - 1 + line);
  }
}

/** Newlines in the whitespace that starts at `from` (empty lines csv-parse skipped). */
function blankLines(bytes: Buffer, from: number): number {
  let newlines = 0;
  for (let i = from; i < bytes.length && bytes[i]! <= 32; i++) if (bytes[i] === 10) newlines++;
  return newlines;
}

/** Exact powers of ten: 10^k is a double exactly for k ≤ 22. */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * The value of a plain decimal cell (`[+-]digits[.digits]`, at most 15 digits, no exponent), or
 * NaN for anything else (the general path then decides). Exact: the digits make an integer below
 * 2^53 and 10^k is exact, so their one IEEE division is correctly rounded, as Number() is. It
 * saves a second pass over the cell (isDecimalCell, then Number) on the hot path of CSV requests.
 */
export function plainDecimal(s: string): number {
  return plainDecimalAt(s, 0, s.length);
}

/** `plainDecimal` of `s[start, end)`, without making the substring. */
function plainDecimalAt(s: string, start: number, end: number): number {
  let i = start;
  let c = s.charCodeAt(i);
  const negative = c === 45;
  if (negative || c === 43) i++;
  let mantissa = 0;
  let digits = 0;
  let fraction = -1;
  for (; i < end; i++) {
    c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
    } else if (c === 46 && fraction < 0) {
      fraction = i;
    } else {
      return NaN;
    }
  }
  if (digits === 0 || digits > 15) return NaN;
  const v = fraction < 0 ? mantissa : mantissa / POW10[end - 1 - fraction]!;
  return negative ? -v : v;
}

/** A cell's raw value for a feature of the given type (the encoding then checks and encodes it). */
function cellValue(type: 'number' | 'boolean' | 'category', cell: string): RawValue {
  if (type === 'number' && isDecimalCell(cell)) return Number(cell);
  if (cell.length <= 4 && MISSING.has(cell)) return null;
  switch (type) {
    case 'number':
      if (NOT_FINITE.test(cell)) return /nan/i.test(cell) ? NaN : cell.startsWith('-') ? -Infinity : Infinity;
      return cell;
    case 'boolean':
      return TRUE.has(cell) ? true : FALSE.has(cell) ? false : cell;
    case 'category':
      return cell;
  }
}

/** Parses and encodes a CSV request body; refuses more than `maxRows` data rows (413). */
export function encodeCsv(model: ServedModel, text: string, maxRows: number): EncodedRows {
  const names = model.featureNames;
  const n = names.length;
  const width = model.predictor.width;
  const types = model.features.map((f) => f.type);
  const enc = model.predictor.encoding;
  const numeric = types.map((t) => t === 'number');
  const offsets = enc.offsets;
  let newlines = 0;
  for (let k = text.indexOf('\n'); k >= 0 && newlines <= maxRows + 1; k = text.indexOf('\n', k + 1)) newlines++;
  let x = new Float64Array(Math.min(newlines + 1, maxRows + 1) * width);
  let columns: Int32Array | undefined;
  /** The feature of each column (the inverse of `columns`). */
  let featureOf: Int32Array | undefined;
  let headerLength = 0;
  let rows = 0;
  /** Room for row `rows`, or the 413; returns where it starts. */
  const nextRow = () => {
    if (rows >= maxRows) throw tooManyRows(rows + 1, maxRows);
    const base = rows * width;
    if (base + width > x.length) {
      const grown = new Float64Array(Math.max(x.length * 2, base + width));
      grown.set(x);
      x = grown;
    }
    return base;
  };
  /** Feature `i`'s cell (trimmed) through the general path: cellValue, then the encoding. */
  const encodeCell = (i: number, cell: string, line: number, base: number) => {
    try {
      encodeValue(enc, i, cellValue(types[i]!, cell), x, base);
    } catch (err) {
      if (!(err instanceof EncodingError)) throw err;
      throw new RequestError(400, `CSV line ${line} (row ${rows}), feature "${names[i]}": ${err.message}`, { row: rows, line, feature: names[i] });
    }
  };
  // A line of plain decimals only, read in one pass over its characters into `scratch` (one value
  // per column), or false: then `plainLine` below reads it as before. It accepts a subset of what
  // that reads as plain decimals (digits, one '.', a sign, ASCII blanks around) and gives the same
  // values, so the rows are the same either way; it only saves the comma count and a second scan.
  const scratch = new Float64Array(model.featureNames.length);
  const decimalLine = (start: number, end: number): boolean => {
    let col = 0;
    let i = start;
    for (;;) {
      let c = text.charCodeAt(i);
      while (c === 32 || c === 9) c = text.charCodeAt(++i);
      const negative = c === 45;
      if (negative || c === 43) c = text.charCodeAt(++i);
      let mantissa = 0;
      let digits = 0;
      let fraction = -1;
      for (;;) {
        if (c >= 48 && c <= 57) {
          mantissa = mantissa * 10 + (c - 48);
          digits++;
          if (fraction >= 0) fraction++;
        } else if (c === 46 && fraction < 0) fraction = 0;
        else break;
        c = text.charCodeAt(++i);
      }
      while (c === 32 || c === 9) c = text.charCodeAt(++i);
      if (digits === 0 || digits > 15 || col >= headerLength || !numericColumn[col]) return false;
      const v = fraction <= 0 ? mantissa : mantissa / POW10[fraction]!;
      scratch[col++] = negative ? -v : v;
      if (i >= end) return col === headerLength && i === end;
      if (c !== 44) return false; // anything but a comma after a decimal: the other readers decide
      i++;
    }
  };
  /** Whether column `c` holds a number feature (set with the header). */
  let numericColumn: Uint8Array = new Uint8Array(0);
  // The common line, read from the text: plain decimals straight into the matrix, no substring
  // or array per cell (100,000 rows: about 18 ms of splitting before). Anything else, cells made.
  const plainLine: PlainLineReader = (start, end, line) => {
    if (!featureOf || headerLength === 1) return false; // one column: a blank line is a skipped line, not a missing cell
    if (end > start && decimalLine(start, end)) {
      const base = nextRow();
      for (let col = 0; col < headerLength; col++) x[base + offsets[featureOf[col]!]!] = scratch[col]!;
      rows++;
      return true;
    }
    let cells = 1;
    for (let k = text.indexOf(',', start); k >= 0 && k < end; k = text.indexOf(',', k + 1)) cells++;
    if (cells !== headerLength) return false; // the general path reports it (or skips an empty line)
    const base = nextRow();
    for (let col = 0, s = start; col < headerLength; col++) {
      let e = text.indexOf(',', s);
      if (e < 0 || e > end) e = end;
      let a = s;
      let b = e;
      while (a < b && isBlank(text.charCodeAt(a))) a++;
      while (b > a && isBlank(text.charCodeAt(b - 1))) b--;
      const i = featureOf[col]!;
      const v = numeric[i] ? plainDecimalAt(text, a, b) : NaN;
      if (v === v) x[base + offsets[i]!] = v; // not NaN: a plain decimal, read exactly as Number() reads it
      else encodeCell(i, text.slice(a, b), line, base);
      s = e + 1;
    }
    rows++;
    return true;
  };
  forEachCsvRecord(
    text,
    (fields, line) => {
      if (!columns) {
        columns = headerColumns(model, fields);
        headerLength = fields.length;
        featureOf = new Int32Array(headerLength);
        for (let i = 0; i < n; i++) featureOf[columns[i]!] = i;
        numericColumn = new Uint8Array(headerLength);
        for (let col = 0; col < headerLength; col++) numericColumn[col] = numeric[featureOf[col]!] ? 1 : 0;
        return;
      }
      if (fields.length !== headerLength) {
        throw new RequestError(400, `CSV line ${line} (row ${rows}): has ${fields.length} cells but the header has ${headerLength}`, { row: rows, line });
      }
      const base = nextRow();
      for (let i = 0; i < n; i++) {
        const cell = fields[columns[i]!]!;
        const v = numeric[i] ? plainDecimal(cell) : NaN;
        if (v === v) x[base + offsets[i]!] = v;
        else encodeCell(i, cell, line, base);
      }
      rows++;
    },
    plainLine,
  );
  if (!columns) throw badRequest('the CSV body is empty: send a header row of feature names, then one row per prediction');
  if (rows === 0) throw badRequest('the CSV has a header but no rows');
  return { x: x.subarray(0, rows * width), rows };
}

function headerColumns(model: ServedModel, header: readonly string[]): Int32Array {
  const columns = new Int32Array(model.featureNames.length).fill(-1);
  header.forEach((name, c) => {
    const i = model.featureIndex.get(name);
    if (i === undefined) {
      throw new RequestError(400, `CSV header: column "${clip(name)}" is not a feature of model "${model.name}" (its features: ${model.featureNames.join(', ')})`, {
        line: 1,
        column: clip(name, 200),
      });
    }
    if (columns[i] !== -1) throw new RequestError(400, `CSV header: column "${name}" appears twice`, { line: 1, column: name });
    columns[i] = c;
  });
  const missing = model.featureNames.filter((_, i) => columns[i] === -1);
  if (missing.length > 0) {
    throw new RequestError(400, `CSV header: missing feature column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} (empty cells are imputed; absent columns are an error)`, {
      line: 1,
      feature: missing[0],
    });
  }
  return columns;
}

/** A CSV field, quoted when it has to be. */
export function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** The CSV response: `prediction` (and `probability_<class>` columns) per row. */
export function formatCsv(model: ServedModel, labels: Int32Array | undefined, values: Float64Array | undefined, probabilities: Float64Array | undefined): string {
  const classes = model.predictor.classes;
  const header = ['prediction', ...(probabilities ? classes.map((c) => csvField(`probability_${c}`)) : [])].join(',');
  const out: string[] = [header];
  if (labels) {
    const names = classes.map(csvField);
    const c = classes.length;
    for (let r = 0; r < labels.length; r++) {
      const label = names[labels[r]!]!;
      if (probabilities) {
        let line = label;
        for (let k = 0; k < c; k++) line += `,${probabilities[r * c + k]}`;
        out.push(line);
      } else {
        out.push(label);
      }
    }
  } else if (values) {
    for (let r = 0; r < values.length; r++) out.push(String(values[r]));
  }
  out.push('');
  return out.join('\n');
}
