import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobDocument } from '../../../serving/jobs/document.ts';
import { requirePostgres, usePostgres } from '../../fixtures/postgres.ts';
import type { JobsHarness } from './helpers.ts';
import { jobsHarness, submitCsv } from './helpers.ts';

const IRIS_HEADER = 'sepal_length,sepal_width,petal_length,petal_width';

describe('batch jobs API (PostgreSQL)', () => {
  if (!requirePostgres()) return;
  const pg = usePostgres();
  let h: JobsHarness;
  beforeAll(async () => {
    h = await jobsHarness(await pg.database());
    await h.startWorker({ pieceChars: 64 });
  });
  afterAll(async () => h?.close());

  it('runs a job and its results equal POST :predict, row for row', async () => {
    const lines = [IRIS_HEADER];
    for (let i = 0; i < 500; i++) lines.push(`${4 + (i % 40) / 10},${2 + (i % 23) / 10},${1 + (i % 60) / 10},${(i % 25) / 10}`);
    const csv = `${lines.join('\n')}\n`;
    const res = await h.app.request('/v1/models/iris/jobs?probabilities=true', submitCsv(csv));
    expect(res.status).toBe(202);
    const body = (await res.json()) as { id: string; status: string; links: { self: string } };
    expect(body.status).toBe('queued');
    expect(body.id).toMatch(/^[0-9a-f]{32}$/);
    expect(res.headers.get('location')).toBe(`/v1/jobs/${body.id}`);
    const doc = await h.waitJob(body.id);
    expect(doc.status).toBe('succeeded');
    expect(doc.rows).toEqual({ done: 500, skipped: 0 });
    const results = await h.app.request(`/v1/jobs/${body.id}/results`);
    expect(results.status).toBe(200);
    const sync = await h.app.request('/v1/models/iris:predict?probabilities=true', submitCsv(csv));
    expect(await results.text()).toBe(await sync.text());
  });

  it('fails a job on a bad row, naming the row, line and column', async () => {
    const csv = `${IRIS_HEADER}\n5.1,3.5,1.4,0.2\n${'5.0,3.0,1.5,0.2\n'.repeat(10)}5.0,abc,1.5,0.2\n`;
    const res = await h.app.request('/v1/models/iris/jobs', submitCsv(csv));
    const { id } = (await res.json()) as { id: string };
    const doc = await h.waitJob(id);
    expect(doc.status).toBe('failed');
    expect(doc.error).toMatchObject({ row: 11, line: 13, column: 'sepal_width' });
    expect(doc.error!.error).toMatch(/^CSV line 13 \(row 11\), feature "sepal_width"/);
    expect((await h.app.request(`/v1/jobs/${id}/results`)).status).toBe(409);
  });

  it('skips bad rows under ?onError=skip and lists them', async () => {
    const good = '5.0,3.0,1.5,0.2\n';
    const csv = `${IRIS_HEADER}\n${good.repeat(5)}x,3,1,1\n${good.repeat(5)}1,2,3\n${good}`;
    const res = await h.app.request('/v1/models/iris/jobs?onError=skip', submitCsv(csv));
    const { id } = (await res.json()) as { id: string };
    const doc = await h.waitJob(id);
    expect(doc.status).toBe('succeeded');
    expect(doc.rows).toEqual({ done: 11, skipped: 2 });
    expect(doc.skipped.map((s) => [s.row, s.line])).toEqual([[5, 7], [11, 13]]);
    const text = await (await h.app.request(`/v1/jobs/${id}/results`)).text();
    expect(text.trim().split('\n')).toHaveLength(12);
  });

  it('cancels a running job: the attempt stops and writes no results', async () => {
    const csv = `${IRIS_HEADER}\n${'5.0,3.0,1.5,0.2\n'.repeat(1_000_000)}`; // in 64-character pieces: seconds of work
    const { id } = (await (await h.app.request('/v1/models/iris/jobs', submitCsv(csv))).json()) as { id: string };
    await h.waitJob(id, (d) => d.status !== 'queued');
    const del = await h.app.request(`/v1/jobs/${id}`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    const until = Date.now() + 60_000;
    while (!h.records.some((r) => String(r.msg).startsWith('job attempt stopped') && r.job === id) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(h.records.some((r) => String(r.msg).startsWith('job attempt stopped') && r.job === id)).toBe(true);
    const doc = (await (await h.app.request(`/v1/jobs/${id}`)).json()) as JobDocument;
    expect(doc.status).toBe('cancelled');
    expect(doc.rows.done).toBeLessThan(1_000_000);
    expect(existsSync(path.join(h.dir, 'jobs', id, 'results.csv'))).toBe(false);
    expect((await h.app.request(`/v1/jobs/${id}/results`)).status).toBe(409);
  });

  it('cancels a queued job, and lists jobs newest first with a cursor', async () => {
    await h.service.boss.offWork('mlship-jobs'); // nobody takes jobs now: it stays queued
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await h.app.request('/v1/models/wine/jobs', submitCsv('alcohol\n1\n'));
      ids.push(((await res.json()) as { id: string }).id);
    }
    const del = await h.app.request(`/v1/jobs/${ids[0]}`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect(((await del.json()) as JobDocument).status).toBe('cancelled');
    expect((await h.app.request(`/v1/jobs/${ids[0]}`, { method: 'DELETE' })).status).toBe(409);
    const page1 = (await (await h.app.request('/v1/jobs?model=wine&limit=2')).json()) as { jobs: JobDocument[]; next: string | null };
    expect(page1.jobs.map((j) => j.id)).toEqual([ids[2], ids[1]]);
    const page2 = (await (await h.app.request(`/v1/jobs?model=wine&limit=2&cursor=${page1.next}`)).json()) as { jobs: JobDocument[]; next: string | null };
    expect(page2.jobs.map((j) => [j.id, j.status])).toEqual([[ids[0], 'cancelled']]);
    expect(page2.next).toBeNull();
  });

  it('answers clear errors: unknown job, bad query, wrong content type', async () => {
    expect((await h.app.request('/v1/jobs/0123456789abcdef0123456789abcdef')).status).toBe(404);
    expect((await h.app.request('/v1/jobs/nope')).status).toBe(404);
    const bad = await h.app.request('/v1/models/iris/jobs?onError=maybe', submitCsv('x\n'));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'onError' });
    expect((await h.app.request('/v1/models/iris/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(415);
    expect((await h.app.request('/v1/models/nope/jobs', submitCsv('x\n'))).status).toBe(404);
    const cb = await h.app.request('/v1/models/iris/jobs?callback=https://example.com/x', submitCsv('x\n'));
    expect(cb.status).toBe(400);
    expect(((await cb.json()) as { error: string }).error).toMatch(/no callback secret/);
  });
});
