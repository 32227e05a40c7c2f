// Who may see a job (API keys), the upload limit, and jobs turned off (S3 store, no database).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveJobs } from '../../../cli/commands/worker.ts';
import { createApp } from '../../../serving/app.ts';
import { hashKey } from '../../../serving/jobs/api-keys.ts';
import { createLogger } from '../../../serving/log.ts';
import { stateWith } from '../../../serving/state.ts';
import { requirePostgres, usePostgres } from '../../fixtures/postgres.ts';
import { tempDir } from '../../helpers/temp.ts';
import { servedExamples } from '../helpers.ts';
import type { JobsHarness } from './helpers.ts';
import { jobsHarness, submitCsv } from './helpers.ts';

const CSV = 'sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n';
const PREDICT = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"instances":[[5.1,3.5,1.4,0.2]]}' };

describe('jobs off: an S3 store without DATABASE_URL', () => {
  it('answers 503 on every job route, saying to set DATABASE_URL, and still serves predictions', async () => {
    const io = { cwd: tempDir(), env: {}, stdout: { write: () => true }, stderr: { write: () => true } };
    const jobs = await serveJobs({}, io, { storeUri: 's3://bucket/prefix', entry: 'unused', jobWorkers: 1, workerArgs: [], modelsDir: false, warn: () => {} });
    try {
      expect(jobs.config.databaseUrl).toBeUndefined();
      const app = createApp({ state: stateWith(await servedExamples()), jobs: jobs.config, logger: createLogger(() => {}) });
      for (const [url, init] of [['/v1/models/iris/jobs', submitCsv(CSV)], ['/v1/jobs/0123456789abcdef0123456789abcdef', {}], ['/v1/jobs', {}]] as const) {
        const res = await app.request(url, init);
        expect(res.status).toBe(503);
        expect(((await res.json()) as { error: string }).error).toMatch(/DATABASE_URL.*PostgreSQL/);
      }
      expect((await app.request('/v1/models/iris:predict', PREDICT)).status).toBe(200);
    } finally {
      await jobs.close();
    }
  });
});

describe('API keys and the upload limit (PostgreSQL)', () => {
  if (!requirePostgres()) return;
  const pg = usePostgres();
  let h: JobsHarness;
  const alice = { authorization: 'Bearer alice-key-0123456789' };
  const bob = { authorization: 'Bearer bob-key-0123456789' };
  beforeAll(async () => {
    const file = path.join(tempDir(), 'keys.json');
    writeFileSync(file, JSON.stringify({ keys: [{ id: 'alice', sha256: hashKey('alice-key-0123456789') }, { id: 'bob', sha256: hashKey('bob-key-0123456789') }] }));
    const { readApiKeys } = await import('../../../serving/jobs/api-keys-file.ts');
    h = await jobsHarness(await pg.database(), { apiKeys: await readApiKeys(file), maxUploadBytes: 1000 });
    await h.startWorker();
  });
  afterAll(async () => h?.close());

  it('a job and its results are readable only with the key that created it; predict routes need a key too', async () => {
    expect((await h.app.request('/v1/models/iris/jobs', submitCsv(CSV))).status).toBe(401);
    expect((await h.app.request('/v1/models/iris:predict', PREDICT)).status).toBe(401);
    expect((await h.app.request('/v1/models/iris:predict', { ...PREDICT, headers: { ...PREDICT.headers, authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await h.app.request('/v1/models/iris:predict', { ...PREDICT, headers: { ...PREDICT.headers, ...alice } })).status).toBe(200);
    expect((await h.app.request('/v2/health/ready')).status).toBe(200); // health stays open

    const res = await h.app.request('/v1/models/iris/jobs', submitCsv(CSV, alice));
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    expect((await h.waitJob(id, undefined, alice)).status).toBe('succeeded');
    expect((await h.app.request(`/v1/jobs/${id}/results`, { headers: alice })).status).toBe(200);
    for (const headers of [bob, {}]) {
      expect((await h.app.request(`/v1/jobs/${id}`, { headers })).status).toBe(Object.keys(headers).length ? 404 : 401);
      expect((await h.app.request(`/v1/jobs/${id}/results`, { headers })).status).toBe(Object.keys(headers).length ? 404 : 401);
    }
    expect((await h.app.request(`/v1/jobs/${id}`, { method: 'DELETE', headers: bob })).status).toBe(404);
    const bobs = (await (await h.app.request('/v1/jobs', { headers: bob })).json()) as { jobs: unknown[] };
    expect(bobs.jobs).toEqual([]);
    const alices = (await (await h.app.request('/v1/jobs', { headers: alice })).json()) as { jobs: { id: string }[] };
    expect(alices.jobs.map((j) => j.id)).toEqual([id]);
  });

  it('refuses an upload over its limit with a 413, declared or streamed', async () => {
    const big = CSV + '5.1,3.5,1.4,0.2\n'.repeat(100);
    const declared = await h.app.request('/v1/models/iris/jobs', submitCsv(big, { ...alice, 'content-length': String(Buffer.byteLength(big)) }));
    expect(declared.status).toBe(413);
    const stream = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode(big)); c.close(); } });
    const streamed = await h.app.request('/v1/models/iris/jobs', { method: 'POST', headers: { 'content-type': 'text/csv', ...alice }, body: stream, duplex: 'half' } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(((await streamed.json()) as { error: string }).error).toMatch(/over the limit of 1000 bytes/);
  });
});
