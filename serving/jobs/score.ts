/**
 * Scores a CSV stream piece by piece with the synchronous route's own functions: `encodeCsv`
 * (parsing, validation, encoding), `predict` and `formatCsv` (serving/csv.ts, prediction.ts), so
 * a job's results are the synchronous answer, row for row. This module only carries the place of
 * each piece in the whole file: rows and lines in errors are rebased from the piece to the file.
 *
 * A bad row fails the job (`onError: fail`, the default) with its row, line and column; with
 * `onError: skip` it is left out (listed in the job) and scoring goes on after it. Errors that are
 * not about one row (the header, an unclosed quote) always fail.
 */
import { encodeCsv, formatCsv } from '../csv.ts';
import { RequestError } from '../errors.ts';
import type { ServedModel } from '../model.ts';
import { predict } from '../prediction.ts';
import { MlshipError } from '../../training/errors.ts';
import type { CsvPiece } from './csv-chunks.ts';
import { CsvRecordTooLong } from './csv-chunks.ts';
import type { OnError, RowError } from './document.ts';
import { MAX_LISTED_SKIPS } from './document.ts';

/** The job's input is wrong: fails the job (not retried). */
export class JobInputError extends MlshipError {
  readonly rowError: RowError;
  constructor(rowError: RowError) {
    super(rowError.error, { row: rowError.row, line: rowError.line, column: rowError.column });
    this.rowError = rowError;
  }
}

export interface Tally {
  rows: number;
  skipped: number;
  skippedList: RowError[];
  bytesRead: number;
}

export const newTally = (): Tally => ({ rows: 0, skipped: 0, skippedList: [], bytesRead: 0 });

const NO_LIMIT = Number.MAX_SAFE_INTEGER;

/** The error of a piece, with row and line counted in the whole file. */
function rebase(err: RequestError, rowOffset: number, lineOffset: number): RowError {
  const d = err.details as { row?: number; line?: number; feature?: string; column?: string };
  const row = d.row === undefined ? undefined : d.row + rowOffset;
  const line = d.line === undefined ? undefined : d.line === 1 && d.row === undefined ? 1 : d.line + lineOffset;
  let message = err.message;
  if (line !== undefined) message = message.replace(/^CSV line \d+/, `CSV line ${line}`);
  if (row !== undefined) message = message.replace(/\(row \d+\)/, `(row ${row})`);
  const out: RowError = { error: message };
  if (row !== undefined) out.row = row;
  if (line !== undefined) out.line = line;
  const column = d.feature ?? d.column;
  if (column !== undefined) out.column = column;
  return out;
}

/** Index in `text` where its physical line `n` (1-based) starts. */
function lineStart(text: string, n: number): number {
  let at = 0;
  for (let k = 1; k < n; k++) {
    const nl = text.indexOf('\n', at);
    if (nl < 0) return text.length;
    at = nl + 1;
  }
  return at;
}

/** Index just after the record that starts at `from` (its newline outside quotes), or the end. */
function recordEnd(text: string, from: number): number {
  let inQuote = false;
  for (let i = from; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 34) inQuote = !inQuote;
    else if (ch === 10 && !inQuote) return i + 1;
  }
  return text.length;
}

const isBlank = (text: string) => !/\S/.test(text);

/**
 * The results CSV as text pieces (the header line first), for the pieces of the input.
 * `tally` is kept up to date as rows are scored.
 */
export async function* scorePieces(model: ServedModel, pieces: AsyncIterable<CsvPiece>, options: { probabilities: boolean; onError: OnError }, tally: Tally): AsyncGenerator<string> {
  let first = true;
  let records = 0; // data records seen: scored + skipped
  let sawHeader = false;
  try {
    for await (const piece of pieces) {
      sawHeader = true;
      tally.bytesRead = piece.bytesRead;
      let text = piece.text;
      let firstLine = piece.firstLine;
      const headerLines = 1 + (piece.header.match(/\n/g)?.length ?? 0);
      while (!isBlank(text)) {
        const body = `${piece.header}\n${text}`;
        // piece line k (k > headerLines) is file line firstLine + k - headerLines - 1
        const lineOffset = firstLine - headerLines - 1;
        let encoded;
        let rest = '';
        try {
          encoded = encodeCsv(model, body, NO_LIMIT);
        } catch (err) {
          if (!(err instanceof RequestError)) throw err;
          const where = rebase(err, records, lineOffset);
          const line = (err.details as { line?: number }).line;
          if (options.onError !== 'skip' || where.row === undefined || line === undefined) throw new JobInputError(where);
          // Score the rows before the bad one, leave it out, go on after it.
          const start = lineStart(text, line - headerLines);
          const end = recordEnd(text, start);
          rest = text.slice(end);
          const before = text.slice(0, start);
          tally.skipped++;
          if (tally.skippedList.length < MAX_LISTED_SKIPS) tally.skippedList.push(where);
          encoded = isBlank(before) ? undefined : encodeCsv(model, `${piece.header}\n${before}`, NO_LIMIT);
          firstLine += (text.slice(0, end).match(/\n/g)?.length ?? 0);
          records += 1;
        }
        if (encoded) {
          const out = predict(model, encoded, options.probabilities);
          const csv = formatCsv(model, out.labels, out.values, out.probabilities);
          yield first ? csv : csv.slice(csv.indexOf('\n') + 1);
          first = false;
          tally.rows += encoded.rows;
          records += encoded.rows;
        }
        if (!rest) break;
        text = rest;
      }
    }
  } catch (err) {
    if (err instanceof CsvRecordTooLong) throw new JobInputError({ error: err.message, line: (err.place as { line?: number }).line });
    throw err;
  }
  if (!sawHeader) throw new JobInputError({ error: 'the CSV is empty: send a header row of feature names, then one row per prediction', line: 1 });
  if (tally.rows === 0 && tally.skipped === 0) throw new JobInputError({ error: 'the CSV has a header but no rows', line: 2 });
  if (first) yield formatCsv(model, new Int32Array(0), new Float64Array(0), options.probabilities ? new Float64Array(0) : undefined).split('\n')[0] + '\n';
}
