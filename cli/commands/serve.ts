/**
 * `mlship serve [--lock models.lock.json] [--store URI | --models-dir DIR] [--port 8080] ...`
 * Serves the model versions the lock pins; runs until SIGTERM/SIGINT, then drains and exits 0.
 *
 * Where artifacts come from:
 * - `--models-dir DIR`: baked into the image, at `DIR/<name>/<version>/model.json`
 *   (or `DIR/<name>/model.json`, what `mlship train --out DIR` writes); `MLSHIP_STORE` set as well
 *   (the infra app's tasks) then holds only the batch jobs' inputs and results;
 * - otherwise the model store: `--store URI`, else `MLSHIP_STORE`, else the local default
 *   (`file://.mlship/store`), at the key the lock implies (`models/<name>/<version>/model.json`).
 * Whatever the source, the bytes must hash to the sha256 the lock pins, or the model is not served
 * and the server stays not ready.
 *
 * Every flag has an environment variable, for containers; a flag wins over its variable.
 *
 * The process-level parts the serving library leaves to its caller live here: the version
 * (cli/version.ts), the worker entry, and signals.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_LOCK, readLock } from '../../registry/lock.ts';
import { DEFAULT_LIMITS } from '../../serving/limits.ts';
import type { FetchArtifact } from '../../serving/loader.ts';
import { modelsDirSource, storeSource } from '../../serving/loader.ts';
import { DEFAULT_DRAIN_TIMEOUT_MS, DEFAULT_PORT, startServer } from '../../serving/server.ts';
import type { CommandIO } from '../io.ts';
import { MLSHIP_VERSION } from '../version.ts';
import { loadOptionsArgs, loadOptionsFrom } from '../load-options.ts';
import { storeOptions, storeUriFrom } from '../store.ts';
import { jobFlagOptions, serveJobs } from './worker.ts';
import { EXIT, UsageError } from '../io.ts';
import { closeOnSignals, EXIT_AFTER_STOP_MS } from '../signals.ts';

/** flag → environment variable */
const ENV = {
  lock: 'MLSHIP_LOCK',
  store: 'MLSHIP_STORE',
  'models-dir': 'MLSHIP_MODELS_DIR',
  port: 'MLSHIP_PORT',
  host: 'MLSHIP_HOST',
  workers: 'MLSHIP_WORKERS',
  'max-body-bytes': 'MLSHIP_MAX_BODY_BYTES',
  'max-rows': 'MLSHIP_MAX_ROWS',
  'max-inflight': 'MLSHIP_MAX_INFLIGHT',
  'max-buffered-bytes': 'MLSHIP_MAX_BUFFERED_BYTES',
  'drain-timeout': 'MLSHIP_DRAIN_TIMEOUT',
  'repository-url': 'MLSHIP_REPOSITORY_URL',
  'metrics-port': 'MLSHIP_METRICS_PORT',
  'body-timeout': 'MLSHIP_BODY_TIMEOUT',
  'min-body-rate': 'MLSHIP_MIN_BODY_RATE',
  'max-artifact-bytes': 'MLSHIP_MAX_ARTIFACT_BYTES', // read by cli/load-options.ts
  'fetch-timeout': 'MLSHIP_FETCH_TIMEOUT',
  'max-output-cells': 'MLSHIP_MAX_OUTPUT_CELLS',
  'job-workers': 'MLSHIP_JOB_WORKERS',
} as const;
type Flag = keyof typeof ENV;

export const SERVER_VERSION = MLSHIP_VERSION;

/** The script a cluster worker runs: cli/serve-entry.ts (a bundle passes its own file). */
export function defaultWorkerEntry(): string {
  return fileURLToPath(new URL('../serve-entry.ts', import.meta.url));
}

// In its own module so a cluster worker can use it without importing this command's store.
export { closeOnSignals } from '../signals.ts';
/** How often the process checks that its parent is still there. */
const PARENT_CHECK_MS = 1_000;

/**
 * When the process that started this one goes away (npx, a shell, a process manager that dies),
 * `close()`: otherwise the server is orphaned, still serving. The parent is gone when the IPC
 * channel disconnects or the parent pid changes (the process was re-parented). Not watched when
 * the parent is init or none (pid 1 in a container: nothing to outlive).
 */
export function closeWhenOrphaned(server: { close(): unknown; closed: Promise<unknown> }, stderr: CommandIO['stderr'] = process.stderr): void {
  const parent = process.ppid;
  const orphaned = (why: string) => {
    clearInterval(timer);
    stderr.write(`mlship serve: ${why}; stopping\n`);
    void server.close();
    // as after a signal: exit once stopped, whatever is pending
    void server.closed.then(() => setTimeout(() => process.exit(), EXIT_AFTER_STOP_MS).unref());
  };
  const timer =
    parent > 1
      ? setInterval(() => {
          if (process.ppid !== parent) orphaned(`the parent process (pid ${parent}) went away`);
        }, PARENT_CHECK_MS).unref()
      : undefined;
  if (process.connected) process.once('disconnect', () => orphaned('the parent process closed the IPC channel'));
  void server.closed.then(() => clearInterval(timer));
}

/** The server, whose `close()` and `closed` include stopping the job workers and the embedded database. */
export function withJobs<S extends { close(): Promise<unknown>; closed: Promise<unknown> }>(served: S, jobs: { close(): Promise<void> }): S {
  const closed = served.closed.then(jobs.close, async (err: unknown) => {
    await jobs.close();
    throw err;
  });
  return { ...served, close: () => served.close().then(jobs.close), closed };
}

export interface ServeCommandOptions {
  /** The script each cluster worker runs; default cli/serve-entry.ts. */
  workerEntry?: string;
}

export async function serveCommand(args: string[], io: CommandIO, options: ServeCommandOptions = {}): Promise<number> {
  const { values } = parseArgs({
    args,
    allowPositionals: false,
    options: { ...(Object.fromEntries(Object.keys(ENV).map((k) => [k, { type: 'string' as const }])) as Record<Flag, { type: 'string' }>), ...jobFlagOptions() },
  });
  const opt = (flag: Flag): string | undefined => {
    const v = (values as Partial<Record<Flag, string>>)[flag] ?? io.env[ENV[flag]];
    return v === undefined || v === '' ? undefined : v;
  };
  const int = (flag: Flag, min: number, fallback: number): number => {
    const raw = opt(flag) ?? (flag === 'port' ? io.env.PORT : undefined);
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min) {
      throw new UsageError(`--${flag} (${ENV[flag]}) must be a whole number ≥ ${min}, got "${raw}"`);
    }
    return n;
  };

  const store = opt('store');
  const modelsDir = opt('models-dir');
  // MLSHIP_STORE beside --models-dir (the infra app's tasks: the image's command names the folder)
  // names the store of the batch jobs' objects only; both as flags is a mistake on the command line.
  if (values.store && modelsDir) throw new UsageError('give either --store or --models-dir, not both');
  const lockFile = path.resolve(io.cwd, opt('lock') ?? DEFAULT_LOCK);
  const lock = await readLock(lockFile);

  const fetchArtifact: FetchArtifact = modelsDir ? modelsDirSource(path.resolve(io.cwd, modelsDir)) : storeSource(storeUriFrom(store, io.env), storeOptions(io));

  const repositoryUrl = opt('repository-url');
  if (repositoryUrl !== undefined && !/^https?:\/\/[^/\s]+/.test(repositoryUrl)) {
    throw new UsageError(`--repository-url (MLSHIP_REPOSITORY_URL) must be an http(s) address like https://github.com/owner/repo, got "${repositoryUrl}"`);
  }
  const port = int('port', 0, DEFAULT_PORT);
  if (port > 65_535) throw new UsageError(`--port must be at most 65535, got ${port}`);
  const metricsPort = opt('metrics-port') === undefined ? undefined : int('metrics-port', 0, 0);
  if (metricsPort !== undefined && (metricsPort > 65_535 || (metricsPort === port && port !== 0))) throw new UsageError(`--metrics-port must be another port than --port, at most 65535, got ${metricsPort}`);
  const entry = options.workerEntry ?? defaultWorkerEntry();
  // Every flag is checked before any child process starts (serveJobs starts the job worker and database).
  const load = loadOptionsFrom(values, io.env);
  const limits = {
    maxBodyBytes: int('max-body-bytes', 1, DEFAULT_LIMITS.maxBodyBytes),
    maxRows: int('max-rows', 1, DEFAULT_LIMITS.maxRows),
    maxInflight: int('max-inflight', 1, DEFAULT_LIMITS.maxInflight),
    maxBufferedBytes: int('max-buffered-bytes', 1, DEFAULT_LIMITS.maxBufferedBytes),
    bodyTimeoutMs: int('body-timeout', 1, DEFAULT_LIMITS.bodyTimeoutMs / 1000) * 1000,
    minBodyBytesPerSecond: int('min-body-rate', 0, DEFAULT_LIMITS.minBodyBytesPerSecond),
    maxOutputCells: int('max-output-cells', 1, DEFAULT_LIMITS.maxOutputCells),
  };
  const workers = opt('workers') === undefined ? undefined : int('workers', 1, 1);
  const drainTimeoutMs = int('drain-timeout', 0, DEFAULT_DRAIN_TIMEOUT_MS / 1000) * 1000;
  const jobWorkers = int('job-workers', 0, 1);
  const jobs = await serveJobs(values, io, {
    storeUri: storeUriFrom(store, io.env),
    entry,
    jobWorkers,
    modelsDir: modelsDir !== undefined,
    warn: (msg) => io.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'warn', msg })}\n`),
    workerArgs: ['--lock', lockFile, ...loadOptionsArgs(load), ...(modelsDir ? ['--models-dir', path.resolve(io.cwd, modelsDir)] : ['--store', storeUriFrom(store, io.env)])],
  });
  let served: Awaited<ReturnType<typeof startServer>>;
  try {
    served = await startServer({
      lock,
      fetchArtifact,
      port,
      host: opt('host'),
      workers,
      metricsPort,
      limits,
      load,
      drainTimeoutMs,
      version: SERVER_VERSION,
      repositoryUrl,
      workerEntry: entry,
      jobs: jobs.config,
      // Workers write their logs straight to the inherited stdout; another sink goes through the primary.
      write: io.stdout === process.stdout ? undefined : (text) => io.stdout.write(text),
    });
  } catch (err) {
    // the port in use, a bad address…: the job worker and database must not stay behind
    await jobs.close();
    throw err;
  }
  // Stopped means the children stopped too: the exit after a signal waits for them.
  const server = withJobs(served, jobs);
  closeOnSignals(server, io.stderr);
  closeWhenOrphaned(server, io.stderr);
  await server.closed;
  return EXIT.ok;
}
