/**
 * Runs one attempt of a job: takes it (table.ts), streams its input from the store through the
 * scorer (score.ts) into its result object, written once, then ends the job once and sends the
 * callback. Progress (rows done, bytes read) is recorded about twice a second; when recording
 * finds the job no longer ours (cancelled, or retried elsewhere after a lost lease), the attempt
 * stops and writes nothing.
 *
 * Bad input fails the job (no retry: it would fail again). Anything else (store, database)
 * throws, and pg-boss retries the job.
 */
import { Readable } from 'node:stream';
import { MlshipError } from '../../training/errors.ts';
import type { Logger } from '../log.ts';
import type { ServedModel } from '../model.ts';
import { csvPieces } from './csv-chunks.ts';
import type { NotifyOptions } from './notify.ts';
import { notify } from './notify.ts';
import type { JobObjects } from './objects.ts';
import { jobKey } from './objects.ts';
import type { Tally } from './score.ts';
import { JobInputError, newTally, scorePieces } from './score.ts';
import type { JobRow, Outcome, Queryable } from './table.ts';
import { failStuck, finishJob, jobDocument, markNotified, recordProgress, startAttempt } from './table.ts';

class AttemptLost extends MlshipError {}

export interface RunContext {
  db: Queryable;
  objects: JobObjects;
  /** The models this worker serves, by name. */
  models: ReadonlyMap<string, ServedModel>;
  logger: Logger;
  notify?: NotifyOptions;
  progressEveryMs?: number;
  /** Characters per scored piece (default 1 MiB). */
  pieceChars?: number;
}

export type AttemptResult = 'succeeded' | 'failed' | 'not-ours';

/** Logs the end of a job and sends its callback. */
export async function ended(ctx: RunContext, row: JobRow): Promise<void> {
  const doc = jobDocument(row);
  ctx.logger.log({ level: 'info', msg: 'job ended', job: row.id, model: row.model, status: row.status, rows: doc.rows.done, skipped: doc.rows.skipped });
  if (!row.callback) return;
  if (!ctx.notify) {
    ctx.logger.log({ level: 'warn', msg: 'job callback not sent: this worker has no callback secret', job: row.id });
    return;
  }
  const result = await notify(row.callback, doc, ctx.notify);
  if (result.delivered) await markNotified(ctx.db, row.id);
  ctx.logger.log({ level: result.delivered ? 'info' : 'warn', msg: result.delivered ? 'job callback delivered' : 'job callback failed', job: row.id, attempts: result.attempts, error: result.error });
}

export async function runAttempt(ctx: RunContext, id: string, options: { lastAttempt?: boolean } = {}): Promise<AttemptResult> {
  const row = await startAttempt(ctx.db, id);
  if (!row) return 'not-ours';
  const attempt = row.attempts;
  const finish = async (o: Outcome): Promise<AttemptResult> => {
    const done = await finishJob(ctx.db, id, attempt, o);
    if (!done) return 'not-ours';
    await ended(ctx, done);
    return o.status;
  };
  const tally: Tally = newTally();
  const outcome = (status: Outcome['status'], error: Outcome['error']): Outcome => ({ status, rowsDone: tally.rows, rowsSkipped: tally.skipped, skipped: tally.skippedList, bytesRead: tally.bytesRead, error });

  const model = ctx.models.get(row.model);
  if (!model || model.version !== row.version) {
    return finish(outcome('failed', { error: `model "${row.model}" version ${row.version} is not served by this worker${model ? ` (it serves version ${model.version})` : ''}` }));
  }
  const input = await ctx.objects.read(jobKey(id, 'input.csv'));
  if (!input) return finish(outcome('failed', { error: 'the job input is gone from the store (expired?)' }));

  let lost = false;
  let last = Date.now();
  const every = ctx.progressEveryMs ?? 500;
  async function* checked(source: AsyncIterable<string>): AsyncGenerator<string> {
    for await (const text of source) {
      yield text;
      if (Date.now() - last >= every) {
        last = Date.now();
        if (!(await recordProgress(ctx.db, id, attempt, tally.rows, tally.bytesRead))) lost = true;
      }
      if (lost) throw new AttemptLost('the job was cancelled or taken by another attempt');
    }
  }
  try {
    const scored = scorePieces(model, csvPieces(input, { pieceChars: ctx.pieceChars }), { probabilities: row.probabilities, onError: row.on_error }, tally);
    await ctx.objects.putOnce(jobKey(id, 'results.csv'), Readable.from(checked(scored)));
  } catch (err) {
    input.destroy();
    if (err instanceof AttemptLost) return 'not-ours';
    if (err instanceof JobInputError) return finish(outcome('failed', err.rowError));
    if (options.lastAttempt) {
      // the error names store paths, buckets or hosts: the log has it, the job document does not
      ctx.logger.log({ level: 'error', msg: 'job failed on its last attempt', job: id, error: (err as Error).message });
      const failed = await failStuck(ctx.db, id, { error: 'the job could not be run: the store or the database failed on every attempt (the worker log says why)' });
      if (failed) await ended(ctx, failed);
    }
    throw err;
  }
  return finish(outcome('succeeded', null));
}
