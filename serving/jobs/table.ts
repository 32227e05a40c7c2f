/**
 * The jobs table (`mlship_jobs`): what each job is and how it ended, shared by every server and
 * worker. pg-boss (queue.ts) holds the queue and the leases; this table holds the record the API
 * reads. Every state change is one conditional UPDATE, so a stale attempt (its lease expired and
 * another worker took the job) cannot finish the job a second time, and a cancelled job stays
 * cancelled.
 */
import type pg from 'pg';
import type { JobDocument, JobStatus, OnError, RowError } from './document.ts';
import { jobLinks } from './job-id.ts';

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS mlship_jobs (
  id text PRIMARY KEY,
  owner text,
  model text NOT NULL,
  version text NOT NULL,
  probabilities boolean NOT NULL,
  on_error text NOT NULL,
  status text NOT NULL,
  callback text,
  input_bytes bigint NOT NULL,
  bytes_read bigint NOT NULL DEFAULT 0,
  rows_done bigint NOT NULL DEFAULT 0,
  rows_skipped bigint NOT NULL DEFAULT 0,
  skipped jsonb NOT NULL DEFAULT '[]',
  error jsonb,
  attempts integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  expires_at timestamptz NOT NULL,
  notified_at timestamptz
);
CREATE INDEX IF NOT EXISTS mlship_jobs_listing ON mlship_jobs (owner, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS mlship_jobs_expiry ON mlship_jobs (expires_at);
`;

export interface JobRow {
  id: string;
  owner: string | null;
  model: string;
  version: string;
  probabilities: boolean;
  on_error: OnError;
  status: JobStatus;
  callback: string | null;
  input_bytes: string;
  bytes_read: string;
  rows_done: string;
  rows_skipped: string;
  skipped: RowError[];
  error: RowError | null;
  attempts: number;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  expires_at: Date;
}

export type Queryable = Pick<pg.Pool, 'query'>;

export interface NewJob {
  id: string;
  owner: string | null;
  model: string;
  version: string;
  probabilities: boolean;
  onError: OnError;
  callback: string | null;
  inputBytes: number;
  expiresAt: Date;
}

export async function insertJob(db: Queryable, job: NewJob): Promise<JobRow> {
  const { rows } = await db.query<JobRow>(
    `INSERT INTO mlship_jobs (id, owner, model, version, probabilities, on_error, status, callback, input_bytes, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, 'queued', $7, $8, $9) RETURNING *`,
    [job.id, job.owner, job.model, job.version, job.probabilities, job.onError, job.callback, job.inputBytes, job.expiresAt],
  );
  return rows[0]!;
}

export async function getJob(db: Queryable, id: string): Promise<JobRow | undefined> {
  const { rows } = await db.query<JobRow>('SELECT * FROM mlship_jobs WHERE id = $1', [id]);
  return rows[0];
}

export interface ListQuery {
  owner: string | null;
  model?: string;
  status?: JobStatus;
  limit: number;
  /** The last job of the previous page (`created_at`, `id`), from the cursor. */
  after?: { createdAt: string; id: string };
}

/** A listed job with its `created_at` to the microsecond, as text for the cursor (a Date keeps only ms). */
export type ListedRow = JobRow & { cursor_at: string };

/** Newest first; `limit + 1` rows so the caller knows whether a next page exists. */
export async function listJobs(db: Queryable, q: ListQuery): Promise<ListedRow[]> {
  const where = ['owner IS NOT DISTINCT FROM $1'];
  const values: unknown[] = [q.owner];
  if (q.model !== undefined) where.push(`model = $${values.push(q.model)}`);
  if (q.status !== undefined) where.push(`status = $${values.push(q.status)}`);
  if (q.after) where.push(`(created_at, id) < ($${values.push(q.after.createdAt)}::timestamptz, $${values.push(q.after.id)})`);
  const cursorAt = `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at`;
  const { rows } = await db.query<ListedRow>(`SELECT *, ${cursorAt} FROM mlship_jobs WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT $${values.push(q.limit + 1)}`, values);
  return rows;
}

/** Takes the job for a new attempt; undefined when it is no longer to be run (cancelled, finished). */
export async function startAttempt(db: Queryable, id: string): Promise<JobRow | undefined> {
  const { rows } = await db.query<JobRow>(
    `UPDATE mlship_jobs SET status = 'running', attempts = attempts + 1, started_at = coalesce(started_at, now()),
       bytes_read = 0, rows_done = 0, rows_skipped = 0, skipped = '[]'
     WHERE id = $1 AND status IN ('queued', 'running') RETURNING *`,
    [id],
  );
  return rows[0];
}

/** Records progress; false when this attempt no longer owns the job (cancelled, or retried elsewhere). */
export async function recordProgress(db: Queryable, id: string, attempt: number, rowsDone: number, bytesRead: number): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE mlship_jobs SET rows_done = $3, bytes_read = $4 WHERE id = $1 AND attempts = $2 AND status = 'running'`,
    [id, attempt, rowsDone, bytesRead],
  );
  return rowCount === 1;
}

export interface Outcome {
  status: 'succeeded' | 'failed';
  rowsDone: number;
  rowsSkipped: number;
  skipped: RowError[];
  bytesRead: number;
  error: RowError | null;
}

/** Ends the job once: only the attempt that owns it, only while running. */
export async function finishJob(db: Queryable, id: string, attempt: number, o: Outcome): Promise<JobRow | undefined> {
  const { rows } = await db.query<JobRow>(
    `UPDATE mlship_jobs SET status = $3, rows_done = $4, rows_skipped = $5, skipped = $6, bytes_read = $7, error = $8, finished_at = now()
     WHERE id = $1 AND attempts = $2 AND status = 'running' RETURNING *`,
    [id, attempt, o.status, o.rowsDone, o.rowsSkipped, JSON.stringify(o.skipped), o.bytesRead, o.error === null ? null : JSON.stringify(o.error)],
  );
  return rows[0];
}

/** Fails a job that ran out of attempts (its workers kept dying), unless it already ended. */
export async function failStuck(db: Queryable, id: string, error: RowError): Promise<JobRow | undefined> {
  const { rows } = await db.query<JobRow>(
    `UPDATE mlship_jobs SET status = 'failed', error = $2, finished_at = now() WHERE id = $1 AND status IN ('queued', 'running') RETURNING *`,
    [id, JSON.stringify(error)],
  );
  return rows[0];
}

/** Running jobs and the attempt each is on: the lost-attempt sweep's candidates (worker.ts). */
export async function runningJobs(db: Queryable, limit = 100): Promise<{ id: string; attempts: number }[]> {
  const { rows } = await db.query<{ id: string; attempts: number }>(`SELECT id, attempts FROM mlship_jobs WHERE status = 'running' ORDER BY started_at LIMIT $1`, [limit]);
  return rows;
}

/**
 * Fails a job whose last attempt's worker stopped (killed, frozen): pg-boss failed its message
 * and will not retry it, so no attempt is left to end it. Conditional on the attempt, like the
 * other ends: if that attempt (or a later one) ended the job in the meantime, nothing changes.
 */
export async function failLost(db: Queryable, id: string, attempt: number, error: RowError): Promise<JobRow | undefined> {
  const { rows } = await db.query<JobRow>(
    `UPDATE mlship_jobs SET status = 'failed', error = $3, finished_at = now() WHERE id = $1 AND attempts = $2 AND status = 'running' RETURNING *`,
    [id, attempt, JSON.stringify(error)],
  );
  return rows[0];
}

export async function cancelJob(db: Queryable, id: string): Promise<JobRow | undefined> {
  const { rows } = await db.query<JobRow>(
    `UPDATE mlship_jobs SET status = 'cancelled', finished_at = now() WHERE id = $1 AND status IN ('queued', 'running') RETURNING *`,
    [id],
  );
  return rows[0];
}

export async function markNotified(db: Queryable, id: string): Promise<void> {
  await db.query('UPDATE mlship_jobs SET notified_at = now() WHERE id = $1', [id]);
}

/** Jobs past their expiry that are no longer running. */
export async function expiredJobs(db: Queryable, now: Date, limit = 100): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(`SELECT id FROM mlship_jobs WHERE expires_at < $1 AND status <> 'running' ORDER BY expires_at LIMIT $2`, [now, limit]);
  return rows.map((r) => r.id);
}

export async function deleteJob(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM mlship_jobs WHERE id = $1', [id]);
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function jobDocument(row: JobRow): JobDocument {
  const inputBytes = Number(row.input_bytes);
  const bytesRead = Number(row.bytes_read);
  const final = row.status === 'succeeded';
  return {
    id: row.id,
    status: row.status,
    model: row.model,
    version: row.version,
    probabilities: row.probabilities,
    onError: row.on_error,
    rows: { done: Number(row.rows_done), skipped: Number(row.rows_skipped) },
    progress: final ? 1 : inputBytes > 0 ? Math.min(1, bytesRead / inputBytes) : 0,
    inputBytes,
    createdAt: row.created_at.toISOString(),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    attempts: row.attempts,
    error: row.error,
    skipped: row.skipped,
    links: jobLinks(row.id),
  };
}
