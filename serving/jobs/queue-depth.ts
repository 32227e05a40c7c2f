/**
 * Queue depth for autoscaling: how many jobs are queued and running, once a minute, as a CloudWatch
 * embedded-metric-format (EMF) line on stdout. On ECS the awslogs driver delivers it and CloudWatch
 * extracts the metrics, so the worker service scales on them (infra/constructs/jobs-worker-service.ts,
 * `JOB_METRICS`) without any AWS permission or SDK call here.
 */
import type pg from 'pg';

export const QUEUE_METRICS = { namespace: 'mlship', queued: 'JobsQueued', running: 'JobsRunning', dimension: 'Cluster' } as const;

export interface QueueDepth {
  queued: number;
  running: number;
}

/** The counts from the job table (the one every server and worker shares). */
export async function queueDepth(pool: pg.Pool): Promise<QueueDepth> {
  const { rows } = await pool.query<{ status: string; n: string }>(
    `SELECT status, count(*) AS n FROM mlship_jobs WHERE status IN ('queued', 'running') GROUP BY status`,
  );
  const count = (status: string) => Number(rows.find((r) => r.status === status)?.n ?? 0);
  return { queued: count('queued'), running: count('running') };
}

/** One EMF document (a JSON line) for `cluster`'s counts at `now`. */
export function emfLine(cluster: string, depth: QueueDepth, now: number): string {
  const { namespace, queued, running, dimension } = QUEUE_METRICS;
  const doc = {
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [[dimension]], Metrics: [{ Name: queued, Unit: 'Count' }, { Name: running, Unit: 'Count' }] }],
    },
    [dimension]: cluster,
    [queued]: depth.queued,
    [running]: depth.running,
  };
  return `${JSON.stringify(doc)}\n`;
}

/**
 * Writes the queue depth every `intervalMs` (default 60 s) until stopped. A failed count is skipped
 * (the next one tries again): scaling must not take the worker down.
 */
export function publishQueueDepth(options: { pool: pg.Pool; cluster: string; write: (line: string) => void; intervalMs?: number; now?: () => number; onError?: (err: unknown) => void }): { stop(): void; tick(): Promise<void> } {
  const now = options.now ?? Date.now;
  const tick = async () => {
    try {
      options.write(emfLine(options.cluster, await queueDepth(options.pool), now()));
    } catch (err) {
      options.onError?.(err);
    }
  };
  const timer = setInterval(() => void tick(), options.intervalMs ?? 60_000);
  timer.unref();
  void tick();
  return { stop: () => clearInterval(timer), tick };
}
