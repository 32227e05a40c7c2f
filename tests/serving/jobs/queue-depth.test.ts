// Queue depth for the worker service's autoscaling: counts from the shared job table, written as
// CloudWatch EMF lines in the names the infra's scaling policy reads (JOB_METRICS).
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { installTable } from '../../../serving/jobs/queue.ts';
import { QUEUE_METRICS, emfLine, publishQueueDepth, queueDepth } from '../../../serving/jobs/queue-depth.ts';
import { insertJob, startAttempt } from '../../../serving/jobs/table.ts';
import { requirePostgres, usePostgres } from '../../fixtures/postgres.ts';

describe('queue depth metrics', () => {
  it('are EMF documents in the namespace, names and dimension the scaling policy reads (infra JOB_METRICS is QUEUE_METRICS)', () => {
    expect(QUEUE_METRICS).toEqual({ namespace: 'mlship', queued: 'JobsQueued', running: 'JobsRunning', dimension: 'Cluster' });
    const doc = JSON.parse(emfLine('mlship-prod', { queued: 3, running: 1 }, 1_764_547_200_000));
    expect(doc).toEqual({
      _aws: {
        Timestamp: 1_764_547_200_000,
        CloudWatchMetrics: [{ Namespace: 'mlship', Dimensions: [['Cluster']], Metrics: [{ Name: 'JobsQueued', Unit: 'Count' }, { Name: 'JobsRunning', Unit: 'Count' }] }],
      },
      Cluster: 'mlship-prod',
      JobsQueued: 3,
      JobsRunning: 1,
    });
  });

  describe('on PostgreSQL', () => {
    if (!requirePostgres()) return;
    const postgres = usePostgres();

    it('counts queued and running jobs from the job table, and a failed count is skipped', async () => {
      const pool = new pg.Pool({ connectionString: await postgres.database(), max: 2 });
      try {
        await installTable(pool);
        expect(await queueDepth(pool)).toEqual({ queued: 0, running: 0 });
        const job = (id: string) => ({ id, owner: null, model: 'iris', version: 'abcdef012345', probabilities: false, onError: 'fail' as const, callback: null, inputBytes: 10, expiresAt: new Date(Date.now() + 60_000) });
        for (const id of ['a1', 'a2', 'a3']) await insertJob(pool, job(id.repeat(16)));
        await startAttempt(pool, 'a1'.repeat(16));
        expect(await queueDepth(pool)).toEqual({ queued: 2, running: 1 });

        const lines: string[] = [];
        const errors: unknown[] = [];
        const publisher = publishQueueDepth({ pool, cluster: 'c1', write: (l) => lines.push(l), intervalMs: 3_600_000, now: () => 42, onError: (e) => errors.push(e) });
        await publisher.tick();
        publisher.stop();
        expect(lines.length).toBeGreaterThanOrEqual(1);
        expect(JSON.parse(lines.at(-1)!)).toMatchObject({ Cluster: 'c1', JobsQueued: 2, JobsRunning: 1 });
        await pool.query('DROP TABLE mlship_jobs');
        const failing = publishQueueDepth({ pool, cluster: 'c1', write: (l) => lines.push(l), intervalMs: 3_600_000, onError: (e) => errors.push(e) });
        await failing.tick();
        failing.stop();
        expect(errors.length).toBeGreaterThanOrEqual(1);
      } finally {
        await pool.end();
      }
    });
  });
});
