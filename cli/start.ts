/**
 * `npm start`: the whole pipeline locally on its embedded defaults — train every model under
 * models/ (gated against the versions models.lock.json pins), publish those that pass to the
 * local store (.mlship/store, or MLSHIP_STORE), pin them in models.lock.json, and serve what
 * the lock pins on http://localhost:8080 (MLSHIP_PORT or PORT to change it).
 *
 * On a fresh clone the committed lock is reproduced: training gives the pinned bytes, so the lock
 * and `git status` stay unchanged. A local change to a model's data pins and serves the new
 * candidate, with the lock diff the pull-request flow would commit (but for `source.commit`,
 * which a dirty tree cannot name).
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_LOCK, readLock } from '../registry/lock.ts';
import { isFailure, publishArtifacts } from '../registry/publish.ts';
import { storeSource } from '../serving/loader.ts';
import type { RunningServer } from '../serving/server.ts';
import { DEFAULT_PORT, startServer } from '../serving/server.ts';
import type { TrainedOutcome } from '../training/train-models.ts';
import { closeOnSignals, closeWhenOrphaned, defaultWorkerEntry, SERVER_VERSION, withJobs } from './commands/serve.ts';
import { serveJobs } from './commands/worker.ts';
import { DEFAULT_OUT, localChampions, trainAndReport } from './commands/train.ts';
import type { CommandIO } from './io.ts';
import { EXIT } from './io.ts';
import { storeFor, storeOptions } from './store.ts';

export interface StartOptions {
  /** Port to serve on (0: any free one); default MLSHIP_PORT, PORT, else 8080. */
  port?: number;
  /** Server worker processes; default MLSHIP_WORKERS, else one per CPU. */
  workers?: number;
  /** Drain and stop on SIGTERM/SIGINT (the command line), not in tests. */
  handleSignals?: boolean;
}

export async function start(io: CommandIO, options: StartOptions = {}): Promise<{ code: number; server: RunningServer }> {
  const modelsDir = path.join(io.cwd, 'models');
  const dirs = (await readdir(modelsDir, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => path.join(modelsDir, d.name))
    .sort();
  const lockFile = path.join(io.cwd, DEFAULT_LOCK);
  const store = storeFor(undefined, io);

  io.stdout.write(`1/3 Training ${dirs.length} models from models/\n`);
  const champions = await localChampions(lockFile, dirs, io);
  const run = await trainAndReport(dirs, { out: path.join(io.cwd, DEFAULT_OUT), champions, json: false }, io);
  const passed = run.models.filter((m): m is TrainedOutcome => m.status === 'passed');

  io.stdout.write(`\n2/3 Publishing ${passed.length} models to ${store.uri}\n`);
  const report = await publishArtifacts(
    passed.map((m) => ({ bytes: m.result.bytes, source: path.relative(io.cwd, m.file ?? m.dir), commit: m.commit })),
    { store, lockFile },
  );
  for (const o of report.outcomes) {
    if (isFailure(o)) io.stderr.write(`✗ ${o.error}\n`);
    else io.stdout.write(`${o.status === 'published' ? 'published' : 'already published'} ${o.name} ${o.version}\n`);
  }
  io.stdout.write(`${DEFAULT_LOCK}: ${report.lockChanged ? 'updated' : 'unchanged'}\n`);
  const ok = run.passed && !report.outcomes.some(isFailure);

  const lock = await readLock(lockFile, { allowMissing: true });
  const port = options.port ?? Number(io.env.MLSHIP_PORT || io.env.PORT || DEFAULT_PORT);
  const workers = options.workers ?? (io.env.MLSHIP_WORKERS ? Number(io.env.MLSHIP_WORKERS) : undefined);
  io.stdout.write(`\n3/3 Serving ${Object.keys(lock.models).length} models from ${DEFAULT_LOCK}\n`);
  // Batch jobs on the embedded database (.mlship/jobs-db), with one job worker.
  const jobs = await serveJobs({}, io, {
    storeUri: store.uri,
    entry: defaultWorkerEntry(),
    jobWorkers: 1,
    workerArgs: ['--lock', lockFile, '--store', store.uri],
    modelsDir: false,
    warn: (msg) => io.stdout.write(`Note: ${msg}\n`),
  });
  let served: RunningServer;
  try {
    served = await startServer({
      lock,
      fetchArtifact: storeSource(store.uri, storeOptions(io)),
      port,
      workers,
      workerEntry: defaultWorkerEntry(),
      version: SERVER_VERSION,
      write: io.stdout === process.stdout ? undefined : (text) => io.stdout.write(text),
      jobs: jobs.config,
    });
  } catch (err) {
    await jobs.close(); // the port in use…: the job worker and database must not stay behind
    throw err;
  }
  const server = withJobs(served, jobs);
  if (options.handleSignals) {
    closeOnSignals(server, io.stderr);
    // `npm start`: the parent is npm; stopping npm stops the server
    closeWhenOrphaned(server, io.stderr);
  }
  const ready = await server.loaded;
  const url = `http://localhost:${server.port}`;
  io.stdout.write(
    ready
      ? `\nReady on ${url} — try:\n  curl -s ${url}/v1/models/iris:predict -H 'content-type: application/json' \\\n    -d '{"instances": [{"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}]}'\n  or open ${url}/ in a browser. A batch job (a CSV file, answered later):\n  printf 'sepal_length,sepal_width,petal_length,petal_width\\n5.1,3.5,1.4,0.2\\n' | curl -s ${url}/v1/models/iris/jobs -H 'content-type: text/csv' --data-binary @-\nCtrl-C stops it.\n\n`
      : `\nNot ready: a pinned model could not be loaded (see the log above); ${url}/v2/health/ready says which.\n`,
  );
  return { code: ok && ready ? EXIT.ok : EXIT.failed, server };
}

if (import.meta.main) {
  const io: CommandIO = { cwd: process.cwd(), env: process.env, stdout: process.stdout, stderr: process.stderr };
  const { code, server } = await start(io, { handleSignals: true });
  await server.closed;
  process.exitCode = code;
}
