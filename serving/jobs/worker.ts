/**
 * The job worker: takes jobs from the queue (bounded concurrency, default 1), runs each
 * (runner.ts), fails the jobs whose last attempt was lost (lost.ts) as often as pg-boss looks for
 * lapsed leases, and every few minutes deletes expired jobs (cleanup.ts). `mlship worker` runs it
 * as a process of its own (cli/commands/worker.ts); `mlship serve` starts one beside its HTTP
 * workers.
 */
import type { JobWithMetadata } from 'pg-boss';
import type { Logger } from '../log.ts';
import type { LeaseOptions } from './config.ts';
import type { ServedModel } from '../model.ts';
import { removeExpired } from './cleanup.ts';
import { failLostJobs } from './lost.ts';
import type { NotifyOptions } from './notify.ts';
import type { JobMessage } from './queue.ts';
import { QUEUE } from './queue.ts';
import { ended, runAttempt } from './runner.ts';
import type { JobsService } from './service.ts';

export interface JobWorkerOptions {
  service: JobsService;
  models: ReadonlyMap<string, ServedModel>;
  logger: Logger;
  concurrency?: number;
  notify?: NotifyOptions;
  pollingIntervalSeconds?: number;
  cleanupEveryMs?: number;
  pieceChars?: number;
}

export interface JobWorker {
  stop(): Promise<void>;
}

/** pg-boss's work() options for the job workers. */
export function workOptions(lease: LeaseOptions, o: { concurrency?: number; pollingIntervalSeconds?: number } = {}) {
  const pollingIntervalSeconds = o.pollingIntervalSeconds ?? 1;
  return {
    localConcurrency: o.concurrency ?? 1,
    includeMetadata: true,
    batchSize: 1,
    pollingIntervalSeconds,
    // A new job is heard of at once (LISTEN/NOTIFY), but a retry after a lapsed lease sends no
    // notification: it waits for the fallback poll, 30 s by default. Polling as often as lapsed
    // leases are looked for takes it as promptly as the lease allows.
    notifyPollingIntervalSeconds: Math.max(pollingIntervalSeconds, lease.superviseIntervalSeconds),
  } as const;
}

export async function startJobWorker(options: JobWorkerOptions): Promise<JobWorker> {
  const { service, logger } = options;
  const ctx = { db: service.pool, objects: service.objects, models: options.models, logger, notify: options.notify, pieceChars: options.pieceChars };
  await service.boss.work<JobMessage>(
    QUEUE,
    workOptions(service.config.lease, { concurrency: options.concurrency, pollingIntervalSeconds: options.pollingIntervalSeconds }),
    async ([job]) => {
      const meta = job as unknown as JobWithMetadata<JobMessage>; // includeMetadata: true
      const id = meta.data.id;
      logger.log({ level: 'info', msg: 'job attempt', job: id, retry: meta.retryCount });
      const result = await runAttempt(ctx, id, { lastAttempt: meta.retryCount >= meta.retryLimit });
      if (result === 'not-ours') logger.log({ level: 'info', msg: 'job attempt stopped: the job was cancelled or is another attempt\'s', job: id });
    },
  );
  const cleanup = async () => {
    try {
      const removed = await removeExpired(service, new Date());
      if (removed > 0) logger.log({ level: 'info', msg: 'expired jobs removed', count: removed });
    } catch (err) {
      logger.log({ level: 'warn', msg: 'job cleanup failed', error: (err as Error).message });
    }
  };
  void cleanup();
  const timer = setInterval(() => void cleanup(), options.cleanupEveryMs ?? 5 * 60_000);
  timer.unref();
  let sweeping = false;
  const sweep = async () => {
    if (sweeping) return;
    sweeping = true;
    try {
      for (const row of await failLostJobs(service.pool, service.boss)) await ended(ctx, row);
    } catch (err) {
      logger.log({ level: 'warn', msg: 'lost-job sweep failed', error: (err as Error).message });
    } finally {
      sweeping = false;
    }
  };
  const sweeper = setInterval(() => void sweep(), service.config.lease.superviseIntervalSeconds * 1000);
  sweeper.unref();
  return {
    async stop() {
      clearInterval(timer);
      clearInterval(sweeper);
      await service.boss.offWork(QUEUE, { wait: true }).catch(() => {});
    },
  };
}
