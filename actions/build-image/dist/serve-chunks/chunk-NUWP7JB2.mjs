import { createRequire as __mlshipCreateRequire } from 'node:module';
const require = __mlshipCreateRequire(import.meta.url);
import{jobLinks}from"./chunk-ASRFEDBY.mjs";var SCHEMA_SQL=`
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
`;async function insertJob(db,job){const{rows}=await db.query(`INSERT INTO mlship_jobs (id, owner, model, version, probabilities, on_error, status, callback, input_bytes, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, 'queued', $7, $8, $9) RETURNING *`,[job.id,job.owner,job.model,job.version,job.probabilities,job.onError,job.callback,job.inputBytes,job.expiresAt]);return rows[0]}async function getJob(db,id){const{rows}=await db.query("SELECT * FROM mlship_jobs WHERE id = $1",[id]);return rows[0]}async function listJobs(db,q){const where=["owner IS NOT DISTINCT FROM $1"];const values=[q.owner];if(q.model!==void 0)where.push(`model = $${values.push(q.model)}`);if(q.status!==void 0)where.push(`status = $${values.push(q.status)}`);if(q.after)where.push(`(created_at, id) < ($${values.push(q.after.createdAt)}::timestamptz, $${values.push(q.after.id)})`);const cursorAt=`to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at`;const{rows}=await db.query(`SELECT *, ${cursorAt} FROM mlship_jobs WHERE ${where.join(" AND ")} ORDER BY created_at DESC, id DESC LIMIT $${values.push(q.limit+1)}`,values);return rows}async function startAttempt(db,id){const{rows}=await db.query(`UPDATE mlship_jobs SET status = 'running', attempts = attempts + 1, started_at = coalesce(started_at, now()),
       bytes_read = 0, rows_done = 0, rows_skipped = 0, skipped = '[]'
     WHERE id = $1 AND status IN ('queued', 'running') RETURNING *`,[id]);return rows[0]}async function recordProgress(db,id,attempt,rowsDone,bytesRead){const{rowCount}=await db.query(`UPDATE mlship_jobs SET rows_done = $3, bytes_read = $4 WHERE id = $1 AND attempts = $2 AND status = 'running'`,[id,attempt,rowsDone,bytesRead]);return rowCount===1}async function finishJob(db,id,attempt,o){const{rows}=await db.query(`UPDATE mlship_jobs SET status = $3, rows_done = $4, rows_skipped = $5, skipped = $6, bytes_read = $7, error = $8, finished_at = now()
     WHERE id = $1 AND attempts = $2 AND status = 'running' RETURNING *`,[id,attempt,o.status,o.rowsDone,o.rowsSkipped,JSON.stringify(o.skipped),o.bytesRead,o.error===null?null:JSON.stringify(o.error)]);return rows[0]}async function failStuck(db,id,error){const{rows}=await db.query(`UPDATE mlship_jobs SET status = 'failed', error = $2, finished_at = now() WHERE id = $1 AND status IN ('queued', 'running') RETURNING *`,[id,JSON.stringify(error)]);return rows[0]}async function runningJobs(db,limit=100){const{rows}=await db.query(`SELECT id, attempts FROM mlship_jobs WHERE status = 'running' ORDER BY started_at LIMIT $1`,[limit]);return rows}async function failLost(db,id,attempt,error){const{rows}=await db.query(`UPDATE mlship_jobs SET status = 'failed', error = $3, finished_at = now() WHERE id = $1 AND attempts = $2 AND status = 'running' RETURNING *`,[id,attempt,JSON.stringify(error)]);return rows[0]}async function cancelJob(db,id){const{rows}=await db.query(`UPDATE mlship_jobs SET status = 'cancelled', finished_at = now() WHERE id = $1 AND status IN ('queued', 'running') RETURNING *`,[id]);return rows[0]}async function markNotified(db,id){await db.query("UPDATE mlship_jobs SET notified_at = now() WHERE id = $1",[id])}async function expiredJobs(db,now,limit=100){const{rows}=await db.query(`SELECT id FROM mlship_jobs WHERE expires_at < $1 AND status <> 'running' ORDER BY expires_at LIMIT $2`,[now,limit]);return rows.map(r=>r.id)}async function deleteJob(db,id){await db.query("DELETE FROM mlship_jobs WHERE id = $1",[id])}var iso=d=>d?d.toISOString():null;function jobDocument(row){const inputBytes=Number(row.input_bytes);const bytesRead=Number(row.bytes_read);const final=row.status==="succeeded";return{id:row.id,status:row.status,model:row.model,version:row.version,probabilities:row.probabilities,onError:row.on_error,rows:{done:Number(row.rows_done),skipped:Number(row.rows_skipped)},progress:final?1:inputBytes>0?Math.min(1,bytesRead/inputBytes):0,inputBytes,createdAt:row.created_at.toISOString(),startedAt:iso(row.started_at),finishedAt:iso(row.finished_at),attempts:row.attempts,error:row.error,skipped:row.skipped,links:jobLinks(row.id)}}export{SCHEMA_SQL,insertJob,getJob,listJobs,startAttempt,recordProgress,finishJob,failStuck,runningJobs,failLost,cancelJob,markNotified,expiredJobs,deleteJob,jobDocument};
