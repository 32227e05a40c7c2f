/**
 * What the job routes and the job worker are configured with. Plain data, so the cluster primary
 * can hand it to its workers in a message: each process opens its own database pool and store
 * from it. The command line builds it (cli/commands/serve.ts, worker.ts).
 */
import type { ApiKeys } from './api-keys-file.ts';

export interface LeaseOptions {
  /** A running job whose worker sends no heartbeat for this long is retried (pg-boss, ≥ 10). */
  heartbeatSeconds: number;
  /** A job running longer than this is retried, heartbeat or not. */
  expireInSeconds: number;
  /** Retries after the first attempt. */
  retryLimit: number;
  /** How often expired leases are looked for (pg-boss supervise). */
  superviseIntervalSeconds: number;
}

export interface JobsConfig {
  /** The shared database; without it the job routes answer 503 with `disabledReason`. */
  databaseUrl?: string;
  disabledReason?: string;
  /** The model store whose bucket (or folder) holds `jobs/`. */
  storeUri: string;
  storeOptions: { cwd?: string; endpoint?: string; region?: string };
  /** Hashed API keys; undefined: no keys, jobs readable by anyone who can reach the server. */
  apiKeys?: ApiKeys;
  /** Signs callbacks; without it `callback=` is refused. */
  callbackSecret?: string;
  /** Hosts a callback may name even when they resolve to a private or loopback address. */
  allowCallbackHosts: string[];
  /** Extra CA certificates (PEM) trusted for callback receivers. */
  callbackCa?: string;
  maxUploadBytes: number;
  /** Inputs, results and the job record are deleted this long after the job was submitted. */
  retentionSeconds: number;
  lease: LeaseOptions;
}

export const DEFAULT_MAX_UPLOAD_BYTES = 1 << 30;
export const DEFAULT_RETENTION_SECONDS = 7 * 24 * 3600;
export const DEFAULT_LEASE: LeaseOptions = { heartbeatSeconds: 30, expireInSeconds: 6 * 3600, retryLimit: 3, superviseIntervalSeconds: 30 };

export const BATCH_JOBS_OFF = 'batch jobs are off: start the server with DATABASE_URL (PostgreSQL), or with a local store to use the embedded database';
export const S3_NEEDS_DATABASE =
  'batch jobs need a shared database with an S3 store: set DATABASE_URL to a PostgreSQL server (an embedded database per task would not be shared between tasks)';
