// The jobs wiring of the synthesized tasks really runs: the serving container's and the worker
// container's environment and secrets, as the template gives them (tokens replaced by local
// values), start `mlship serve --models-dir` (the image's command) and the worker's own command
// against a real PostgreSQL, and a job submitted to the server is run by the worker. It checks
// that `pg` takes the user from PGUSER when DATABASE_URL names none (without it `pg` would log in
// as the OS user, who has no role), that the server takes MLSHIP_STORE beside --models-dir, and
// that the job objects land in that store. The local cluster trusts every login, so PGPASSWORD is
// passed but not checked here; and it has no TLS, so the URL's `sslmode` is dropped.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app.ts';
import { BUNDLE_PATH, LOCK_PATH, MODELS_DIR, SERVING_COMMAND } from '../../actions/lib/image/paths.ts';
import type { JobDocument } from '../../serving/jobs/document.ts';
import { requirePostgres, usePostgres } from '../fixtures/postgres.ts';
import type { Fixture, ServeProcess } from '../serving/helpers.ts';
import { ROOT, spawnServe, writeFixture } from '../serving/helpers.ts';
import { IMAGE, testConfig } from './helpers.ts';

interface Container {
  Command?: string[];
  Environment: { Name: string; Value: unknown }[];
  Secrets: { Name: string }[];
}

const CSV = 'sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3\n';

describe('the synthesized serving and worker tasks run a job', () => {
  if (!requirePostgres()) return;
  const pg = usePostgres();
  let fixture: Fixture;
  let serving: Container;
  let worker: Container;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    fixture = await writeFixture();
    const template = Template.fromStack(buildApp(testConfig({ service: { image: IMAGE }, jobs: { enabled: true } }), { nag: false }).stack);
    const containers = Object.values(template.findResources('AWS::ECS::TaskDefinition')).map((td) => td.Properties.ContainerDefinitions[0] as Container & { Name: string });
    serving = containers.find((c) => c.Name === 'serving')!;
    worker = containers.find((c) => c.Name === 'worker')!;
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await fixture?.cleanup();
  });

  /** The container's environment with CloudFormation's values made local, and its secrets' values. */
  function localEnv(container: Container, databaseUrl: URL): NodeJS.ProcessEnv {
    const out: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, USER: 'nobody-with-no-role' };
    for (const { Name, Value } of container.Environment) {
      if (typeof Value === 'string') out[Name] = Value;
      else if (Name === 'DATABASE_URL') out[Name] = `postgres://${databaseUrl.host}${databaseUrl.pathname}`; // the template's, without credentials
      else if (Name === 'MLSHIP_STORE') out[Name] = fixture.store;
      else if (Name === 'MLSHIP_QUEUE_METRICS_CLUSTER') out[Name] = 'local-cluster'; // the template's is the cluster's Ref
      else throw new Error(`no local value for ${Name}`);
    }
    const secrets: Record<string, string> = { PGUSER: decodeURIComponent(databaseUrl.username), PGPASSWORD: 'not-checked-by-a-trust-cluster' };
    for (const { Name } of container.Secrets) out[Name] = secrets[Name];
    out.MLSHIP_METRICS_PORT = '0'; // the template's fixed port may be taken here
    return out;
  }

  /** The container's command with the image's paths made local. */
  const local = (args: readonly string[]) =>
    args.map((a) => (a === BUNDLE_PATH ? path.join(ROOT, 'cli/serve-entry.ts') : a === LOCK_PATH ? fixture.lockFile : a === MODELS_DIR ? fixture.modelsDir : a));

  it('with DATABASE_URL from the template, PGUSER/PGPASSWORD as the secrets give them, and the job objects in the store', { timeout: 120_000 }, async () => {
    const databaseUrl = new URL(await pg.database());
    expect(serving.Secrets.map((s) => s.Name)).toEqual(['PGUSER', 'PGPASSWORD']);

    const workerCommand = worker.Command!.map((a) => (typeof a === 'string' ? a : fixture.store));
    const w = spawn(process.execPath, local(workerCommand).slice(1), { env: localEnv(worker, databaseUrl), stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(w);
    let workerLog = '';
    w.stdout!.on('data', (c: Buffer) => (workerLog += c.toString()));
    w.stderr!.on('data', (c: Buffer) => (workerLog += c.toString()));

    const [node, ...args] = local(SERVING_COMMAND);
    expect(node).toBe('node');
    let server: ServeProcess | undefined;
    try {
      server = await spawnServe(process.execPath, [...args, '--port', '0', '--host', '127.0.0.1'], { env: localEnv(serving, databaseUrl), cwd: fixture.dir });
      children.push(server.child);
      const base = `http://127.0.0.1:${server.port}`;
      const res = await fetch(`${base}/v1/models/iris/jobs`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: CSV });
      expect(res.status).toBe(202);
      const { id } = (await res.json()) as { id: string };
      let doc: JobDocument;
      for (;;) {
        doc = (await (await fetch(`${base}/v1/jobs/${id}`)).json()) as JobDocument;
        if (doc.status !== 'queued' && doc.status !== 'running') break;
        if (w.exitCode !== null) throw new Error(`the worker exited: ${workerLog}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(doc.status).toBe('succeeded');
      expect(await (await fetch(`${base}/v1/jobs/${id}/results`)).text()).toBe('prediction\nsetosa\nvirginica\n');
      expect(workerLog).toContain('job ended');
      // the queue depth the worker service scales on, as CloudWatch EMF lines in the names the scaling reads
      const emf = workerLog.split('\n').filter((l) => l.includes('"CloudWatchMetrics"')).map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(emf[0]).toMatchObject({ Cluster: 'local-cluster', JobsQueued: expect.any(Number), JobsRunning: expect.any(Number) });
      // the server started no job worker of its own (MLSHIP_JOB_WORKERS=0): the separate one ran it
      expect(server.records.some((r) => r.role === 'job-worker')).toBe(false);
      expect((await readdir(path.join(fixture.dir, 'jobs', id))).sort()).toEqual(['input.csv', 'results.csv']);
    } catch (err) {
      process.stderr.write(`${JSON.stringify(server?.records.slice(-20))}\n${server?.stderr()}\n${workerLog}\n`);
      throw err;
    } finally {
      server?.child.kill('SIGTERM');
      w.kill('SIGTERM');
    }
  });
});
