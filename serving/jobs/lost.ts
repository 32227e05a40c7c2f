/**
 * Jobs whose last attempt was lost. When a worker is killed on a job's last attempt, pg-boss's
 * supervisor fails the job's message once the lease lapses, but no attempt is left to end the job
 * in `mlship_jobs`, so it would read `running` for ever. The job workers sweep for running jobs
 * whose message pg-boss has failed, and fail them with the reason (table.ts's failLost, conditional
 * on the attempt: a job is never ended twice).
 */
import type { PgBoss } from 'pg-boss';
import type { JobRow, Queryable } from './table.ts';
import { failLost, runningJobs } from './table.ts';
import { queuedState } from './queue.ts';

/** pg-boss's reason, `{value: {message}}` for a lease that lapsed ("job heartbeat timeout", "job timed out"). */
function reasonOf(output: unknown): string | undefined {
  const message = (output as { value?: { message?: unknown } } | null)?.value?.message;
  return typeof message === 'string' ? message : undefined;
}

export const lostMessage = (attempt: number, of: number, reason: string | undefined): string =>
  `the worker stopped on attempt ${attempt} of ${of}${reason ? ` (${reason})` : ''}: the job is not retried`;

/** Fails the running jobs pg-boss will not run again; the rows it ended. */
export async function failLostJobs(db: Queryable, boss: PgBoss): Promise<JobRow[]> {
  const ended: JobRow[] = [];
  for (const { id, attempts } of await runningJobs(db)) {
    const q = await queuedState(boss, id);
    if (!q || q.state !== 'failed') continue; // still leased, or waiting for its retry
    const row = await failLost(db, id, attempts, { error: lostMessage(attempts, q.retryLimit + 1, reasonOf(q.output)) });
    if (row) ended.push(row);
  }
  return ended;
}
