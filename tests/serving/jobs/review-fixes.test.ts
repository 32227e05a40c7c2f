// Defects a review found in batch jobs, each on the real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenNotifyWorks } from '../../../serving/jobs/listen-probe.ts';
import { existsSync, mkdirSync, readdirSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { createApp } from '../../../serving/app.ts';
import { DEFAULT_LEASE } from '../../../serving/jobs/config.ts';
import type { JobDocument } from '../../../serving/jobs/document.ts';
import { removeExpired } from '../../../serving/jobs/cleanup.ts';
import { runAttempt } from '../../../serving/jobs/runner.ts';
import { getJob, insertJob, jobDocument } from '../../../serving/jobs/table.ts';
import { createLogger } from '../../../serving/log.ts';
import { stateWith } from '../../../serving/state.ts';
import { servedExamples } from '../helpers.ts';
import { requirePostgres, usePostgres } from '../../fixtures/postgres.ts';
import type { JobsHarness } from './helpers.ts';
import { jobsHarness } from './helpers.ts';

const CSV = 'sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n';

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

  it('fails a job on its last attempt without naming store paths in the job document', async () => {
    const id = 'e'.repeat(32);
    const { models } = stateWith(await servedExamples());
    await insertJob(h.service.pool, { id, owner: null, model: 'iris', version: models.get('iris')!.version, probabilities: false, onError: 'fail', callback: null, inputBytes: 1, expiresAt: new Date(Date.now() + 3600_000) });
    await h.service.objects.putOnce(`jobs/${id}/input.csv`, Readable.from([CSV]));
    const secret = '/srv/private/store/jobs/x (s3://secret-bucket/jobs/x)';
    const objects = { ...h.service.objects, read: h.service.objects.read.bind(h.service.objects), putOnce: async () => { throw new Error(`cannot write ${secret}`); } };
    const ctx = { db: h.service.pool, objects, models, logger: createLogger((t) => { for (const l of t.split('\n')) if (l) h.records.push(JSON.parse(l) as Record<string, unknown>); }) };
    await expect(runAttempt(ctx as never, id, { lastAttempt: true })).rejects.toThrow(/cannot write/);
    const doc = jobDocument((await getJob(h.service.pool, id))!) as JobDocument;
    expect(doc.status).toBe('failed');
    expect(JSON.stringify(doc)).not.toMatch(/srv|secret-bucket|s3:/);
    expect(JSON.stringify(h.records)).toContain('secret-bucket');
  });

  it('answers 400 to an upload cut short, logs no stack, and leaves no job folder', async () => {
    const before = h.records.length;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(CSV));
        controller.error(new Error('aborted'));
      },
    });
    const res = await h.app.request('/v1/models/iris/jobs', { method: 'POST', headers: { 'content-type': 'text/csv' }, body, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/ended before its end/);
    expect(JSON.stringify(h.records.slice(before))).not.toMatch(/internal error|stack/);
    expect(jobFolders()).toEqual([]);
  });

  it('leaves no job folder behind an upload refused with 413', async () => {
    const small = await jobsHarness(h.config.databaseUrl!, { maxUploadBytes: 40 });
    try {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode(CSV));
          controller.close();
        },
      });
      const res = await small.app.request('/v1/models/iris/jobs', { method: 'POST', headers: { 'content-type': 'text/csv' }, body, duplex: 'half' } as RequestInit);
      expect(res.status).toBe(413);
      expect(existsSync(path.join(small.dir, 'jobs')) ? readdirSync(path.join(small.dir, 'jobs')) : []).toEqual([]);
    } finally {
      await small.close();
    }
  });

  it('cleanup removes empty job folders once they are stale, and keeps fresh ones', async () => {
    const stale = path.join(h.dir, 'jobs', '1'.repeat(32));
    const fresh = path.join(h.dir, 'jobs', '2'.repeat(32));
    mkdirSync(stale, { recursive: true });
    mkdirSync(fresh, { recursive: true });
    const old = new Date(Date.now() - 2 * 3600_000);
    utimesSync(stale, old, old);
    await removeExpired(h.service, new Date());
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
    await h.service.objects.deleteJob('2'.repeat(32));
  });

  function jobFolders(): string[] {
    const dir = path.join(h.dir, 'jobs');
    if (!existsSync(dir)) return [];
    return readdirSync(dir).filter((id) => !['a', 'b', 'c', 'd', 'e'].some((x) => id === x.repeat(32)));
  }
});

describe('an unreachable jobs database', () => {
  it('answers 503 without naming the database host', async () => {
    const records: string[] = [];
    const app = createApp({
      state: stateWith(await servedExamples()),
      logger: createLogger((t) => records.push(t)),
      jobs: { databaseUrl: 'postgres://mlship@127.0.0.1:1/postgres?connect_timeout=2', storeUri: pathToFileURL('/nonexistent-mlship').href, storeOptions: {}, allowCallbackHosts: [], maxUploadBytes: 1 << 20, retentionSeconds: 60, lease: DEFAULT_LEASE },
    });
    try {
      const res = await app.request('/v1/jobs');
      expect(res.status).toBe(503);
      expect(await res.text()).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
      expect(records.join('')).toMatch(/127\.0\.0\.1|ECONNREFUSED/);
    } finally {
      await app.close();
    }
  });
});
