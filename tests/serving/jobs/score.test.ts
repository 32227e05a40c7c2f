// The streamed scorer against the synchronous route's answer, on inputs cut into tiny pieces:
// quoted cells with commas and newlines across piece boundaries, CRLF, a BOM, empty lines.
import { describe, expect, it } from 'vitest';
import { encodeCsv, formatCsv } from '../../../serving/csv.ts';
import { csvPieces } from '../../../serving/jobs/csv-chunks.ts';
import { JobInputError, newTally, scorePieces } from '../../../serving/jobs/score.ts';
import type { ServedModel } from '../../../serving/model.ts';
import { predict } from '../../../serving/prediction.ts';
import { trainedMixed } from '../helpers.ts';

async function scoreText(model: ServedModel, text: string, pieceChars: number, onError: 'fail' | 'skip' = 'fail', probabilities = false) {
  const tally = newTally();
  let out = '';
  // bytes arrive in 7-byte chunks, so UTF-8 characters are split too
  const bytes = Buffer.from(text);
  const chunks = Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) => bytes.subarray(i * 7, i * 7 + 7));
  for await (const piece of scorePieces(model, csvPieces(chunks, { pieceChars }), { probabilities, onError }, tally)) out += piece;
  return { out, tally };
}

function synchronous(model: ServedModel, text: string, probabilities = false): string {
  const encoded = encodeCsv(model, text, 1e9);
  const p = predict(model, encoded, probabilities);
  return formatCsv(model, p.labels, p.values, p.probabilities);
}

describe('scorePieces', () => {
  it('gives the synchronous answer whatever the piece size, with quotes, CRLF, a BOM and empty lines', async () => {
    const { model } = await trainedMixed();
    const rows = ['\uFEFFsize,"color",member'];
    for (let i = 0; i < 200; i++) rows.push(i % 9 === 0 ? '' : `${(i % 10) / 1.5},${i % 3 === 0 ? '"re\nd"' : i % 3 === 1 ? '"green"' : 'blué'},${i % 2 === 0 ? 'true' : '"false"'}`);
    const crlf = rows.join('\r\n') + '\r\n';
    for (const input of [rows.join('\n') + '\n', crlf, rows.join('\n')]) {
      const expected = synchronous(model, input, true);
      for (const pieceChars of [1, 13, 100, 1 << 20]) {
        const { out, tally } = await scoreText(model, input, pieceChars, 'fail', true);
        expect(out).toBe(expected);
        expect(tally.rows).toBe(expected.split('\n').length - 2);
      }
    }
  });

  it('names the row, line and column of a bad cell counted in the whole file, and skips it under skip', async () => {
    const { model } = await trainedMixed();
    const lines = ['color,member,size'];
    for (let i = 0; i < 50; i++) lines.push(i === 37 ? 'red,true,NaN' : i === 12 ? '"multi\nline",true,1' : 'red,true,1');
    const text = lines.join('\n') + '\n';
    for (const pieceChars of [1, 40, 1 << 20]) {
      const err = await scoreText(model, text, pieceChars).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(JobInputError);
      // line 40: the header, 37 rows before, and one extra line inside row 12's quotes
      expect((err as JobInputError).rowError).toMatchObject({ row: 37, line: 40, column: 'size' });
      expect((err as JobInputError).rowError.error).toMatch(/^CSV line 40 \(row 37\), feature "size"/);
      const skipped = await scoreText(model, text, pieceChars, 'skip');
      expect(skipped.tally).toMatchObject({ rows: 49, skipped: 1 });
      expect(skipped.tally.skippedList).toEqual([expect.objectContaining({ row: 37, line: 40 })]);
      expect(skipped.out).toBe(synchronous(model, text.replace('red,true,NaN\n', '')));
    }
  });

  it('fails on an empty input, a header without rows, a wrong header, and an unclosed quote', async () => {
    const { model } = await trainedMixed();
    await expect(scoreText(model, '', 10)).rejects.toThrow(/empty/);
    await expect(scoreText(model, 'color,member,size\n', 10)).rejects.toThrow(/no rows/);
    await expect(scoreText(model, 'color,member,sise\nred,true,1\n', 10)).rejects.toThrow(/column "sise" is not a feature/);
    await expect(scoreText(model, 'color,member,size\n"red,true,1\nred,true,1\n', 10)).rejects.toThrow(/not closed/);
  });
});
