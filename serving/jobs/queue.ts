/**
 * The queue: pg-boss on the shared PostgreSQL. A message per job, carrying only its id (the
 * record is in mlship_jobs, table.ts). pg-boss gives the lease: a job whose worker stops sending
 * heartbeats (killed, frozen) goes back to the queue for another attempt. Our job ids are 128
 * random bits; pg-boss's ids are UUIDs, so the same bits in UUID form name the message.
 */
import { PgBoss } from 'pg-boss';
import type pg from 'pg';
import type { LeaseOptions } from './config.ts';
import { listenNotifyWorks } from './listen-probe.ts';
import { SCHEMA_SQL } from './table.ts';

export const QUEUE = 'mlship-jobs';

export const messageId = (id: string): string => `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}`;

export interface JobMessage {
  id: string;
}

export interface BossOptions {
  /** Whether this instance runs pg-boss's maintenance (expiring leases): the job workers do. */
  supervise: boolean;
  lease: LeaseOptions;
  max?: number;
}

export async function openBoss(databaseUrl: string, options: BossOptions): Promise<{ boss: PgBoss; listening: boolean }> {
  // the job workers hear of a new job at once (LISTEN/NOTIFY), polling stays the fallback; where
  // notifications never arrive (the embedded database) LISTEN stays off, so the workers poll at
  // their own interval instead of pg-boss's 30 s notify backstop
  const listen = options.supervise && (await listenNotifyWorks(databaseUrl));
  const boss = new PgBoss({
    connectionString: databaseUrl,
    max: options.max ?? 4,
    supervise: options.supervise,
    schedule: false,
    superviseIntervalSeconds: options.lease.superviseIntervalSeconds,
    monitorIntervalSeconds: options.lease.superviseIntervalSeconds,
    application_name: 'mlship',
    useListenNotify: listen,
  });
  boss.on('error', () => {}); // connection errors surface in the calls that fail
  await boss.start();
  const queue = { ...leaseOf(options.lease), notify: true };
  if (!(await boss.getQueue(QUEUE))) {
    await boss.createQueue(QUEUE, queue).catch(async (err: unknown) => {
      if (!(await boss.getQueue(QUEUE))) throw err; // another process created it first: fine
    });
  }
  return { boss, listening: listen };
}

/** Creates mlship's own table once, whoever gets there first (an advisory lock orders racing processes). */
export async function installTable(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(7302163525)');
    await client.query(SCHEMA_SQL);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/**
 * pg-boss's retry options from the lease. Sent with each job as well as set on the queue: pg-boss
 * copies the queue's options into a job when it is sent, so a queue created once by a process with
 * another lease would otherwise fix every later job's heartbeat (that is what made a retry after a
 * kill take 35-61 s in tests run with a 10 s heartbeat: the queue still said 30 s).
 */
export const leaseOf = (lease: LeaseOptions) => ({
  retryLimit: lease.retryLimit,
  retryDelay: 1,
  retryBackoff: true,
  retryDelayMax: 60,
  expireInSeconds: lease.expireInSeconds,
  heartbeatSeconds: lease.heartbeatSeconds,
});

export async function enqueue(boss: PgBoss, id: string, lease?: LeaseOptions): Promise<void> {
  await boss.send(QUEUE, { id } satisfies JobMessage, { id: messageId(id), ...(lease ? leaseOf(lease) : {}) });
}

/** What pg-boss says of the job's message: its state, attempts allowed, and why it failed. */
export interface QueuedState {
  state: 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';
  retryCount: number;
  retryLimit: number;
  output: unknown;
}

export async function queuedState(boss: PgBoss, id: string): Promise<QueuedState | undefined> {
  const [job] = await boss.findJobs<JobMessage>(QUEUE, { id: messageId(id) });
  return job ? { state: job.state, retryCount: job.retryCount, retryLimit: job.retryLimit, output: job.output } : undefined;
}

export async function dequeue(boss: PgBoss, id: string): Promise<void> {
  await boss.cancel(QUEUE, messageId(id)).catch(() => {});
}
