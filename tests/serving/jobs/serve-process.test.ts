// `mlship serve` with jobs, as a process: it starts a job worker of its own; with DATABASE_URL
// (the run's PostgreSQL) and with the embedded database (a local store, no DATABASE_URL).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobDocument } from '../../../serving/jobs/document.ts';
import { requirePostgres, usePostgres } from '../../fixtures/postgres.ts';
import type { Fixture } from '../helpers.ts';
import { ROOT, spawnServe, writeFixture } from '../helpers.ts';

const CSV = 'sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3\n';

async function runJob(port: number): Promise<{ doc: JobDocument; results: string }> {
  const base = `http://127.0.0.1:${port}`;
  let res: Response;
  const until = Date.now() + 90_000;
  // the embedded database may still be starting: 503 with Retry-After until it is up
  for (;;) {
    res = await fetch(`${base}/v1/models/iris/jobs`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: CSV });
    if (res.status !== 503 || Date.now() > until) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  expect(res.status).toBe(202);
  const { id } = (await res.json()) as { id: string };
  for (;;) {
    const doc = (await (await fetch(`${base}/v1/jobs/${id}`)).json()) as JobDocument;
    if (doc.status !== 'queued' && doc.status !== 'running') return { doc, results: await (await fetch(`${base}/v1/jobs/${id}/results`)).text() };
    if (Date.now() > until) throw new Error(`job still ${doc.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('mlship serve runs jobs with a job worker of its own', () => {
  let fixture: Fixture;
  let cwd: string;
  beforeAll(async () => {
    fixture = await writeFixture();
    cwd = await mkdtemp(path.join(tmpdir(), 'mlship-serve-jobs-'));
  });
  afterAll(async () => {
    await fixture?.cleanup();
    await rm(cwd, { recursive: true, force: true });
  });

  // PGlite's first start (initdb in WebAssembly) takes a while on a busy machine
  it('on the embedded database (a local store, no DATABASE_URL), and exits 0 on SIGTERM', { timeout: 180_000 }, async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, MLSHIP_WORKERS: '1' };
    delete env.DATABASE_URL;
    const server = await spawnServe(process.execPath, [path.join(ROOT, 'cli/main.ts'), 'serve', '--lock', fixture.lockFile, '--store', fixture.store, '--port', '0', '--host', '127.0.0.1'], { env, cwd });
    try {
      expect(server.records.some((r) => r.level === 'warn' && /open to anyone/.test(String(r.msg)))).toBe(true);
      const { doc, results } = await runJob(server.port);
      expect(doc.status).toBe('succeeded');
      expect(results).toBe('prediction\nsetosa\nvirginica\n');
      expect(server.records.some((r) => r.role === 'job-worker' && r.msg === 'job ended')).toBe(true);
    } catch (err) {
      process.stderr.write(`${JSON.stringify(server.records.slice(-20))}\n${server.stderr()}\n`);
      throw err;
    } finally {
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    }
  });

  describe('with DATABASE_URL', () => {
    if (!requirePostgres()) return;
    const pg = usePostgres();
    it('on PostgreSQL, with two HTTP workers, and exits 0 on SIGTERM', async () => {
      const env = { ...process.env, MLSHIP_WORKERS: '2', DATABASE_URL: await pg.database() };
      const server = await spawnServe(process.execPath, [path.join(ROOT, 'cli/main.ts'), 'serve', '--lock', fixture.lockFile, '--store', fixture.store, '--port', '0', '--host', '127.0.0.1'], { env, cwd });
      try {
        const { doc, results } = await runJob(server.port);
        expect(doc.status).toBe('succeeded');
        expect(results).toBe('prediction\nsetosa\nvirginica\n');
      } finally {
        server.child.kill('SIGTERM');
        expect(await server.exited).toBe(0);
      }
    });
  });
});
