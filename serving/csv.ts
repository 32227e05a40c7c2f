/**
 * CSV in, CSV out, for bulk work on `POST /v1/models/{name}:predict` with `Content-Type: text/csv`.
 *
 * In: RFC 4180 with a header row of feature names: every feature once, no other column (a 400
 * names a missing, unknown or repeated one); any column order; `,` separated; `"` quoting with
 * `""` for a quote; LF or CRLF; a UTF-8 BOM and empty lines are skipped; unquoted cells are trimmed.
 * A cell that is empty or NA, N/A, null, NULL or None is missing (imputed, like `null` in JSON).
 * `NaN`, `Infinity` and numbers too large for a double are refused in number columns: a 400 that
 * names the row (from 0, not counting the header), the line and the feature.
 *
 * Out: `text/csv` with a header and one line per input row, in order: `prediction`, then with
 * probabilities one `probability_<class>` column per class in the model's class order.
 */
import type { RawValue } from '../training/table.ts';
import { FALSE_CELLS as FALSE, MISSING_CELLS as MISSING, TRUE_CELLS as TRUE, isDecimalCell } from '../training/cells.ts';
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
 * Lines without a quote are split directly (the common case); a record with a quote goes through
 * the character-level parser, which handles `""` and newlines inside quotes.
 */
export function forEachCsvRecord(text: string, onRecord: (fields: string[], line: number) => void): void {
  const n = text.length;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let nextQuote = text.indexOf('"', pos);
  while (pos < n) {
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? n : nl;
    if (nextQuote < 0 || nextQuote > end) {
      const fields = text.slice(pos, end).split(',');
      for (let i = 0; i < fields.length; i++) {
        const f = fields[i]!;
        if (f.length > 0 && (f.charCodeAt(0) <= 32 || f.charCodeAt(f.length - 1) <= 32)) fields[i] = f.trim();
      }
      pos = end + 1;
      if (!(fields.length === 1 && fields[0] === '')) onRecord(fields, line); // else an empty line
      line++;
      continue;
    }
    const start = line;
    const record = parseQuotedRecord(text, pos, start);
    pos = record.pos;
    line += record.newlines;
    if (pos > nextQuote) nextQuote = text.indexOf('"', pos);
    onRecord(record.fields, start);
  }
}

/** One record from `pos` with the character-level parser; returns where the next one starts. */
function parseQuotedRecord(text: string, pos: number, line: number): { fields: string[]; pos: number; newlines: number } {
  const n = text.length;
  const fields: string[] = [];
  let newlines = 0;
  for (;;) {
    if (text.charCodeAt(pos) === 34) {
      // Quoted field: up to the closing quote, "" is a quote, newlines allowed inside.
      let value = '';
      pos++;
      for (;;) {
        const q = text.indexOf('"', pos);
        if (q < 0) throw new CsvSyntaxError('a quoted field is not closed', line);
        const chunk = text.slice(pos, q);
        for (let k = chunk.indexOf('\n'); k >= 0; k = chunk.indexOf('\n', k + 1)) newlines++;
        value += chunk;
        if (text.charCodeAt(q + 1) === 34) {
          value += '"';
          pos = q + 2;
          continue;
        }
        pos = q + 1;
        break;
      }
      while (pos < n && (text.charCodeAt(pos) === 32 || text.charCodeAt(pos) === 9)) pos++;
      fields.push(value);
    } else {
      let end = pos;
      for (; end < n; end++) {
        const ch = text.charCodeAt(end);
        if (ch === 44 || ch === 10) break;
        if (ch === 34) throw new CsvSyntaxError('a quote inside an unquoted field (quote the whole field and double the quote)', line + newlines);
      }
      fields.push(text.slice(pos, end).trim());
      pos = end;
    }
    if (pos >= n) return { fields, pos, newlines };
    const ch = text.charCodeAt(pos);
    if (ch === 44) {
      pos++;
      if (pos >= n) {
        fields.push('');
        return { fields, pos, newlines };
      }
      continue;
    }
    if (ch === 10) return { fields, pos: pos + 1, newlines: newlines + 1 };
    if (ch === 13 && text.charCodeAt(pos + 1) === 10) return { fields, pos: pos + 2, newlines: newlines + 1 };
    throw new CsvSyntaxError('unexpected text after a closing quote', line + newlines);
  }
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
  let newlines = 0;
  for (let k = text.indexOf('\n'); k >= 0 && newlines <= maxRows + 1; k = text.indexOf('\n', k + 1)) newlines++;
  let x = new Float64Array(Math.min(newlines + 1, maxRows + 1) * width);
  let columns: Int32Array | undefined;
  let headerLength = 0;
  let rows = 0;
  forEachCsvRecord(text, (fields, line) => {
    if (!columns) {
      columns = headerColumns(model, fields);
      headerLength = fields.length;
      return;
    }
    if (fields.length !== headerLength) {
      throw new RequestError(400, `CSV line ${line} (row ${rows}): has ${fields.length} cells but the header has ${headerLength}`, { row: rows, line });
    }
    if (rows >= maxRows) throw tooManyRows(rows + 1, maxRows);
    const base = rows * width;
    if (base + width > x.length) {
      const grown = new Float64Array(Math.max(x.length * 2, base + width));
      grown.set(x);
      x = grown;
    }
    for (let i = 0; i < n; i++) {
      const cell = fields[columns[i]!]!;
      try {
        encodeValue(enc, i, cellValue(types[i]!, cell), x, base);
      } catch (err) {
        if (!(err instanceof EncodingError)) throw err;
        throw new RequestError(400, `CSV line ${line} (row ${rows}), feature "${names[i]}": ${err.message}`, { row: rows, line, feature: names[i] });
      }
    }
    rows++;
  });
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
