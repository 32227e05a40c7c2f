// Defects a review found in batch jobs, each on the real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenNotifyWorks } from '../../../serving/jobs/listen-probe.ts';
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
});
