// Defects a review found in batch jobs, each on the real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenNotifyWorks } from '../../../serving/jobs/listen-probe.ts';
import { insertJob } from '../../../serving/jobs/table.ts';
import { requirePostgres, usePostgres } from '../../fixtures/postgres.ts';
import type { JobsHarness } from './helpers.ts';
import { jobsHarness } from './helpers.ts';

describe('batch jobs review fixes (PostgreSQL)', () => {
  if (!requirePostgres()) return;
  const pg = usePostgres();
  let h: JobsHarness;
  beforeAll(async () => {
    h = await jobsHarness(await pg.database());
  });
  afterAll(async () => h?.close());

  it('keeps LISTEN/NOTIFY on where notifications arrive', async () => {
    expect(await listenNotifyWorks(h.config.databaseUrl!)).toBe(true);
    expect(h.service.listening).toBe(true);
  });

  it('lists every job when several were created within the same millisecond', async () => {
    const ids = ['a', 'b', 'c', 'd'].map((x) => x.repeat(32));
    for (const id of ids) {
      await insertJob(h.service.pool, { id, owner: null, model: 'iris', version: 'v1', probabilities: false, onError: 'fail', callback: null, inputBytes: 1, expiresAt: new Date(Date.now() + 3600_000) });
    }
    // the same millisecond, microseconds apart
    await h.service.pool.query(
      `UPDATE mlship_jobs SET created_at = '2026-01-01T00:00:00.123Z'::timestamptz + (CASE id WHEN $1 THEN 100 WHEN $2 THEN 300 WHEN $3 THEN 200 ELSE 400 END) * interval '1 microsecond' WHERE id = ANY($4)`,
      [ids[0], ids[1], ids[2], ids],
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await h.app.request(`/v1/jobs?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { jobs: { id: string }[]; next: string | null };
      seen.push(...body.jobs.map((j) => j.id));
      cursor = body.next;
    } while (cursor && seen.length < 10);
    expect(seen).toEqual([ids[3], ids[1], ids[2], ids[0]]);
  });
});
