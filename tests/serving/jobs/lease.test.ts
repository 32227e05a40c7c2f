// The lease a job runs under is the configured one, and a retry follows it: each job carries the
// lease of the server that queued it (the queue's options, fixed by whichever process created the
// queue first, do not), and the job workers poll for a retry as often as they look for lapsed
// leases (a retry sends no notification, and pg-boss's fallback poll is 30 s).
import { describe, expect, it } from 'vitest';
import { DEFAULT_LEASE } from '../../../serving/jobs/config.ts';
import type { JobMessage } from '../../../serving/jobs/queue.ts';
import { QUEUE, enqueue, messageId } from '../../../serving/jobs/queue.ts';
import { openJobs } from '../../../serving/jobs/service.ts';
import { workOptions } from '../../../serving/jobs/worker.ts';
import { requirePostgres, usePostgres } from '../../fixtures/postgres.ts';
import { jobsHarness } from './helpers.ts';

describe('the job lease', () => {
  it('has the job workers poll for retries as often as they look for lapsed leases', () => {
    const lease = { ...DEFAULT_LEASE, heartbeatSeconds: 12, superviseIntervalSeconds: 4 };
    expect(workOptions(lease)).toMatchObject({ pollingIntervalSeconds: 1, notifyPollingIntervalSeconds: 4 });
    expect(workOptions(DEFAULT_LEASE).notifyPollingIntervalSeconds).toBe(DEFAULT_LEASE.superviseIntervalSeconds);
    expect(workOptions({ ...lease, superviseIntervalSeconds: 1 }, { pollingIntervalSeconds: 2 }).notifyPollingIntervalSeconds).toBe(2);
  });

  describe('on PostgreSQL', () => {
    if (!requirePostgres()) return;
    const pg = usePostgres();

    it("is the queuing server's, not the one the queue was created with", async () => {
      // the harness creates the queue with the default lease (30 s heartbeat, 3 retries)
      const h = await jobsHarness(await pg.database());
      const short = { ...DEFAULT_LEASE, heartbeatSeconds: 10, expireInSeconds: 600, retryLimit: 1, superviseIntervalSeconds: 3 };
      const other = await openJobs({ ...h.config, lease: short }, { supervise: false });
      try {
        expect((await other.boss.getQueue(QUEUE))?.heartbeatSeconds).toBe(DEFAULT_LEASE.heartbeatSeconds);
        const id = 'ab'.repeat(16);
        await enqueue(other.boss, id, short);
        const [job] = await other.boss.findJobs<JobMessage>(QUEUE, { id: messageId(id) });
        expect(job).toMatchObject({ heartbeatSeconds: 10, expireInSeconds: 600, retryLimit: 1 });
      } finally {
        await other.close();
        await h.close();
      }
    });
  });
});
