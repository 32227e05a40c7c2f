// The job worker as a process (`mlship worker`), on the run's PostgreSQL: a 1,000,000-row job end
// to end, its worker killed (SIGKILL) in the middle; the retry completes the job once, with one
// result object, every row equal to the synchronous prediction.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobDocument } from '../../../serving/jobs/document.ts';
import { requirePostgres, usePostgres } from '../../fixtures/postgres.ts';
import type { Fixture } from '../helpers.ts';
import { ROOT, writeFixture } from '../helpers.ts';
import type { JobsHarness } from './helpers.ts';
import { jobsHarness, submitCsv } from './helpers.ts';
import { DEFAULT_LEASE } from '../../../serving/jobs/config.ts';

/** The shortest lease pg-boss takes (a heartbeat of 10 s), so that a lost attempt is found soon. */
const SHORT_LEASE = { ...DEFAULT_LEASE, heartbeatSeconds: 10, superviseIntervalSeconds: 1 };

const HEADER = 'sepal_length,sepal_width,petal_length,petal_width';

/** `rows` iris rows, varied enough to reach every class. */
export function irisRows(rows: number, from = 0): string {
  const out: string[] = [];
  for (let i = from; i < from + rows; i++) out.push(`${(43 + (i % 37)) / 10},${(20 + (i % 24)) / 10},${(10 + ((i * 7) % 59)) / 10},${(1 + ((i * 3) % 25)) / 10}`);
  return `${out.join('\n')}\n`;
}

interface WorkerProcess {
  child: ChildProcess;
  records: Record<string, unknown>[];
  exited: Promise<number | null>;
}

function startWorker(fixture: Fixture, store: string, databaseUrl: string): WorkerProcess {
  const child = spawn(process.execPath, [path.join(ROOT, 'cli/main.ts'), 'worker', '--lock', fixture.lockFile, '--models-dir', fixture.modelsDir, '--store', store], {
    env: { ...process.env, DATABASE_URL: databaseUrl, MLSHIP_JOB_HEARTBEAT: '10' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const records: Record<string, unknown>[] = [];
  let rest = '';
  child.stdout!.on('data', (c: Buffer) => {
    const lines = (rest + c.toString()).split('\n');
    rest = lines.pop()!;
    for (const line of lines) if (line) records.push(JSON.parse(line) as Record<string, unknown>);
  });
  return { child, records, exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}

describe('mlship worker: a 1,000,000-row job, its worker killed mid-job', () => {
  if (!requirePostgres()) return;
  const pg = usePostgres();
  let h: JobsHarness;
  let fixture: Fixture;
  const workers: WorkerProcess[] = [];
  beforeAll(async () => {
    fixture = await writeFixture();
    h = await jobsHarness(await pg.database(), { lease: SHORT_LEASE });
  });
  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await h?.close();
    await fixture?.cleanup();
  });

  it('is retried after its lease is lost and succeeds once, with one result object equal to POST :predict', { timeout: 240_000 }, async () => {
    const ROWS = 1_000_000;
    const body = HEADER + '\n' + irisRows(ROWS);
    const res = await h.app.request('/v1/models/iris/jobs', submitCsv(body));
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };

    const first = startWorker(fixture, h.config.storeUri, h.config.databaseUrl!);
    workers.push(first);
    // killed as soon as it has taken the job (the job is running), well before 1,000,000 rows are scored
    await h.waitJob(id, (d) => d.status !== 'queued', {}, 2);
    first.child.kill('SIGKILL');
    await first.exited;
    const running = (await (await h.app.request(`/v1/jobs/${id}`)).json()) as JobDocument;
    expect(running).toMatchObject({ status: 'running', attempts: 1 }); // taken, not finished: the lease still holds it

    const second = startWorker(fixture, h.config.storeUri, h.config.databaseUrl!);
    workers.push(second);
    const t0 = Date.now();
    await h.waitJob(id, (d) => d.attempts === 2 || d.status !== 'running', {}, 50);
    const retried = Date.now() - t0;
    const done: JobDocument = await h.waitJob(id);
    process.stderr.write(`retried ${retried} ms after the kill (lease ${SHORT_LEASE.heartbeatSeconds} s), done ${Date.now() - t0} ms after it\n`);
    expect(done.status).toBe('succeeded');
    expect(done.attempts).toBe(2);
    expect(done.rows).toEqual({ done: ROWS, skipped: 0 });
    expect(done.progress).toBe(1);
    const ended = () => second.records.filter((r) => r.msg === 'job ended' && r.job === id);
    for (let i = 0; i < 200 && ended().length === 0; i++) await new Promise((r) => setTimeout(r, 50)); // log lines are buffered
    expect(ended()).toHaveLength(1);
    expect(first.records.filter((r) => r.msg === 'job ended')).toHaveLength(0);
    expect((await readdir(path.join(h.dir, 'jobs', id))).sort()).toEqual(['input.csv', 'results.csv']);

    // every row equals the synchronous prediction (in slices: the synchronous route takes 100,000 rows at most)
    const results = await (await h.app.request(`/v1/jobs/${id}/results`)).text();
    const lines = results.split('\n');
    expect(lines[0]).toBe('prediction');
    expect(lines).toHaveLength(ROWS + 2);
    const SLICE = 100_000;
    for (let from = 0; from < ROWS; from += SLICE) {
      const sync = await h.app.request('/v1/models/iris:predict', submitCsv(HEADER + '\n' + irisRows(SLICE, from)));
      const expected = (await sync.text()).split('\n').slice(1, -1);
      expect(lines.slice(1 + from, 1 + from + SLICE)).toEqual(expected);
    }
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});

describe('mlship worker: a job whose worker is killed on its last attempt', () => {
  if (!requirePostgres()) return;
  const pg = usePostgres();
  let h: JobsHarness;
  let fixture: Fixture;
  const workers: WorkerProcess[] = [];
  beforeAll(async () => {
    fixture = await writeFixture();
    // no retries: the first attempt is the last
    h = await jobsHarness(await pg.database(), { lease: { ...SHORT_LEASE, retryLimit: 0 } });
  });
  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await h?.close();
    await fixture?.cleanup();
  });

  it('ends failed, saying the worker stopped on attempt 1 of 1, once the lease lapses', { timeout: 180_000 }, async () => {
    const res = await h.app.request('/v1/models/iris/jobs', submitCsv(HEADER + '\n' + irisRows(1_000_000)));
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const first = startWorker(fixture, h.config.storeUri, h.config.databaseUrl!);
    workers.push(first);
    await h.waitJob(id, (d) => d.status !== 'queued', {}, 2);
    first.child.kill('SIGKILL');
    await first.exited;

    await h.startWorker(); // a worker of this process, which sweeps for lost jobs
    const done = await h.waitJob(id);
    expect(done).toMatchObject({ status: 'failed', attempts: 1 });
    expect(done.error?.error).toMatch(/^the worker stopped on attempt 1 of 1 \(job heartbeat timeout\)/);
    expect(done.finishedAt).not.toBeNull();
    const ended = h.records.filter((r) => r.msg === 'job ended' && r.job === id);
    expect(ended).toEqual([expect.objectContaining({ status: 'failed' })]);
    // ended once: later sweeps leave it alone
    await new Promise((r) => setTimeout(r, 2500));
    expect(h.records.filter((r) => r.msg === 'job ended' && r.job === id)).toHaveLength(1);
    await expect((await h.app.request(`/v1/jobs/${id}/results`)).status).toBe(409);
  });
});
