/**
 * `mlship worker`: the batch-job worker as a process of its own (`mlship serve` starts one beside
 * its HTTP workers; the infra app can run it as its own service). It loads the models the lock
 * pins, as `mlship serve` does, takes jobs from the queue in DATABASE_URL and runs them, until
 * SIGTERM/SIGINT: then it stops taking jobs, lets the running ones finish, and exits 0.
 *
 * `--models-dir DIR` takes the models from a folder (as `mlship serve` does); the store (`--store`,
 * MLSHIP_STORE, else `.mlship/store`) still holds the jobs' inputs and results under `jobs/`.
 *
 * The job flags (shared with `mlship serve`), each with an environment variable:
 *   DATABASE_URL                                   the shared PostgreSQL (no flag: a URL may hold a password)
 *   --api-keys FILE              MLSHIP_API_KEYS   hashed API keys (serve only)
 *   --allow-callback-host H      MLSHIP_ALLOW_CALLBACK_HOSTS (comma-separated)
 *   --callback-secret-file FILE  MLSHIP_CALLBACK_SECRET (the secret itself)
 *   --callback-ca FILE           MLSHIP_CALLBACK_CA  extra CA certificates (PEM) for receivers
 *   --max-upload-bytes N         MLSHIP_MAX_UPLOAD_BYTES (default 1 GiB)
 *   --job-retention S            MLSHIP_JOB_RETENTION (seconds, default 7 days)
 *   --job-heartbeat S            MLSHIP_JOB_HEARTBEAT (seconds ≥ 10, default 30: a job whose worker is silent this long is retried)
 *   --concurrency N              MLSHIP_JOB_CONCURRENCY (jobs at once per worker, default 1)
 *   --max-artifact-bytes N, --fetch-timeout S   as for `mlship serve`
 *   (no flag)                    MLSHIP_QUEUE_METRICS_CLUSTER: write JobsQueued/JobsRunning once a minute as CloudWatch EMF lines, for autoscaling
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { setPriority } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_LOCK, readLock } from '../../registry/lock.ts';
import { readApiKeys } from '../../serving/jobs/api-keys-file.ts';
import type { JobsConfig } from '../../serving/jobs/config.ts';
import { DEFAULT_LEASE, DEFAULT_MAX_UPLOAD_BYTES, DEFAULT_RETENTION_SECONDS, S3_NEEDS_DATABASE } from '../../serving/jobs/config.ts';
import { embeddedUrl } from '../../serving/jobs/embedded-url.ts';
import { publishQueueDepth } from '../../serving/jobs/queue-depth.ts';
import { openJobs } from '../../serving/jobs/service.ts';
import { startJobWorker } from '../../serving/jobs/worker.ts';
import type { FetchArtifact } from '../../serving/loader.ts';
import { modelsDirSource, storeSource } from '../../serving/loader.ts';
import { loadPinned } from '../../serving/load-pinned.ts';
import { createLogger } from '../../serving/log.ts';
import type { CommandIO } from '../io.ts';
import { EXIT, UsageError } from '../io.ts';
import { loadFlagOptions, loadOptionsFrom } from '../load-options.ts';
import { storeOptions, storeUriFrom } from '../store.ts';

export { WORKER_USAGE } from './usage.ts';

/** Job flags → environment variables (serve and worker). */
export const JOB_FLAGS = {
  'api-keys': 'MLSHIP_API_KEYS',
  'allow-callback-host': 'MLSHIP_ALLOW_CALLBACK_HOSTS',
  'callback-secret-file': 'MLSHIP_CALLBACK_SECRET',
  'callback-ca': 'MLSHIP_CALLBACK_CA',
  'max-upload-bytes': 'MLSHIP_MAX_UPLOAD_BYTES',
  'job-retention': 'MLSHIP_JOB_RETENTION',
  'job-heartbeat': 'MLSHIP_JOB_HEARTBEAT',
} as const;
export type JobFlag = keyof typeof JOB_FLAGS;

export const jobFlagOptions = () =>
  Object.fromEntries(Object.keys(JOB_FLAGS).map((k) => [k, k === 'allow-callback-host' ? { type: 'string' as const, multiple: true as const } : { type: 'string' as const }])) as Record<
    JobFlag,
    { type: 'string'; multiple?: true }
  >;

function whole(raw: string | undefined, name: string, min: number, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min) throw new UsageError(`${name} must be a whole number ≥ ${min}, got "${raw}"`);
  return n;
}

/**
 * The jobs configuration from the job flags (a flag wins over its variable). `databaseUrl`
 * is DATABASE_URL, or the embedded database's when the caller started one.
 */
export async function jobsConfigFrom(values: Partial<Record<JobFlag, string | string[]>>, io: CommandIO, storeUri: string, databaseUrl: string | undefined): Promise<JobsConfig> {
  const opt = (flag: JobFlag): string | undefined => {
    const v = values[flag];
    const s = Array.isArray(v) ? v.join(',') : v;
    return s === undefined || s === '' ? (io.env[JOB_FLAGS[flag]] || undefined) : s;
  };
  const keysFile = opt('api-keys');
  const secretFlag = values['callback-secret-file'];
  const secret = typeof secretFlag === 'string' && secretFlag ? (await readFile(path.resolve(io.cwd, secretFlag), 'utf8')).trim() : io.env.MLSHIP_CALLBACK_SECRET || undefined;
  if (secret !== undefined && secret.length < 16) throw new UsageError('the callback secret must be at least 16 characters');
  const ca = opt('callback-ca');
  const heartbeat = whole(opt('job-heartbeat'), '--job-heartbeat (MLSHIP_JOB_HEARTBEAT)', 10, DEFAULT_LEASE.heartbeatSeconds);
  return {
    databaseUrl,
    storeUri,
    storeOptions: storeOptions(io),
    apiKeys: keysFile ? await readApiKeys(path.resolve(io.cwd, keysFile)) : undefined,
    callbackSecret: secret,
    allowCallbackHosts: (opt('allow-callback-host') ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean),
    callbackCa: ca ? await readFile(path.resolve(io.cwd, ca), 'utf8') : undefined,
    maxUploadBytes: whole(opt('max-upload-bytes'), '--max-upload-bytes (MLSHIP_MAX_UPLOAD_BYTES)', 1, DEFAULT_MAX_UPLOAD_BYTES),
    retentionSeconds: whole(opt('job-retention'), '--job-retention (MLSHIP_JOB_RETENTION)', 1, DEFAULT_RETENTION_SECONDS),
    // a lost lease is looked for a few times per heartbeat
    lease: { ...DEFAULT_LEASE, heartbeatSeconds: heartbeat, superviseIntervalSeconds: Math.max(1, Math.floor(heartbeat / 3)) },
  };
}

export async function workerCommand(args: string[], io: CommandIO): Promise<number> {
  const { values } = parseArgs({
    args,
    allowPositionals: false,
    options: { lock: { type: 'string' }, store: { type: 'string' }, 'models-dir': { type: 'string' }, concurrency: { type: 'string' }, ...loadFlagOptions(), ...jobFlagOptions() },
  });
  // from the start: a server that dies while the models load must not leave this process behind
  const stopped = untilStopped();
  const databaseUrl = io.env.DATABASE_URL || undefined;
  if (!databaseUrl) throw new UsageError('mlship worker needs DATABASE_URL (the PostgreSQL the servers queue jobs in)');
  const store = values.store || io.env.MLSHIP_STORE || undefined;
  const modelsDir = values['models-dir'] || io.env.MLSHIP_MODELS_DIR || undefined;
  const lock = await readLock(path.resolve(io.cwd, values.lock || io.env.MLSHIP_LOCK || DEFAULT_LOCK));
  const storeUri = storeUriFrom(store, io.env);
  const fetchArtifact: FetchArtifact = modelsDir ? modelsDirSource(path.resolve(io.cwd, modelsDir)) : storeSource(storeUri, storeOptions(io));
  const config = await jobsConfigFrom(values, io, storeUri, databaseUrl);
  const concurrency = whole(values.concurrency || io.env.MLSHIP_JOB_CONCURRENCY, '--concurrency (MLSHIP_JOB_CONCURRENCY)', 1, 1);
  const load = loadOptionsFrom(values, io.env);

  const logger = createLogger(io.stdout === process.stdout ? undefined : (text) => io.stdout.write(text), { role: 'job-worker', pid: process.pid });
  const loaded = await loadPinned(lock, fetchArtifact, logger, load);
  const models = new Map(loaded.models.map((m) => [m.name, m]));
  const service = await openJobs(config, { supervise: true, poolSize: concurrency + 2 });
  const worker = await startJobWorker({
    service,
    models,
    logger,
    concurrency,
    notify: config.callbackSecret ? { secret: config.callbackSecret, allowHosts: config.allowCallbackHosts, ca: config.callbackCa } : undefined,
  });
  logger.log({ level: 'info', msg: 'job worker started', concurrency, models: [...models.keys()] });
  // On ECS, the queue depth the worker service scales on (infra: jobs-worker-service.ts)
  const cluster = io.env.MLSHIP_QUEUE_METRICS_CLUSTER || undefined;
  const depth = cluster
    ? publishQueueDepth({ pool: service.pool, cluster, write: (line) => io.stdout.write(line), onError: (err) => logger.log({ level: 'warn', msg: 'queue depth not counted', error: String(err) }) })
    : undefined;
  await stopped;
  depth?.stop();
  logger.log({ level: 'info', msg: 'job worker stopping: finishing the jobs it runs' });
  await worker.stop();
  await service.close();
  logger.flush();
  return EXIT.ok;
}

/** How long a child whose server went away may take to stop gracefully before it exits anyway. */
export const ORPHAN_EXIT_MS = 10_000;

/**
 * Resolves on SIGTERM/SIGINT, or when the IPC channel to the server that started this process
 * closes (the server died, even by SIGKILL): a job worker or database must not outlive it. After
 * a disconnect the process exits ORPHAN_EXIT_MS later whatever is still pending.
 */
function untilStopped(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
    if (process.connected) {
      process.once('disconnect', () => {
        setTimeout(() => process.exit(1), ORPHAN_EXIT_MS).unref();
        resolve();
      });
      // the channel must not keep the process alive by itself once it is done
      process.channel?.unref();
    }
  });
}

/** Starts `<entry> jobs-db DIR PORT` and resolves once it says it is ready. */
function startDatabaseProcess(entry: string, dir: string, port: number, io: CommandIO): { pid: number | undefined; ready: Promise<void>; close(): Promise<void> } {
  // 'ipc': the channel closes when this process dies, however it dies, and the database then stops
  const child = spawn(process.execPath, [entry, 'jobs-db', dir, String(port)], { cwd: io.cwd, env: io.env, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  child.channel?.unref();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const ready = new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes(JOBS_DB_READY)) resolve();
    });
    void exited.then(() => reject(new Error(`it exited (${child.exitCode ?? child.signalCode})`)));
  });
  return { pid: child.pid, ready, close };
}

const JOBS_DB_READY = 'jobs database ready';

/**
 * `<entry> jobs-db DIR PORT`: the embedded database as a process (started by `serveJobs`), until
 * SIGTERM/SIGINT.
 */
export async function jobsDbCommand(args: string[], io: CommandIO): Promise<number> {
  const [dir, port] = args;
  if (!dir || !port || !/^\d+$/.test(port)) throw new UsageError('usage: jobs-db DIR PORT');
  const stopped = untilStopped();
  const { startEmbeddedDatabase } = await import('../../serving/jobs/embedded.ts');
  const db = await startEmbeddedDatabase(path.resolve(io.cwd, dir), { port: Number(port) });
  io.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: JOBS_DB_READY, role: 'jobs-db', pid: process.pid })}\n`);
  await stopped;
  await db.close();
  return EXIT.ok;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Takes the embedded database's pid file; the pid of a live holder when another server has it. */
async function holdEmbeddedLock(file: string): Promise<number | undefined> {
  await mkdir(path.dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, String(process.pid), { flag: 'wx' });
      return undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(await readFile(file, 'utf8').catch(() => ''));
      if (pid > 0 && pid !== process.pid && isAlive(pid)) return pid;
      await unlink(file).catch(() => {}); // left by a server that died: take it over
    }
  }
  return undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function releaseEmbeddedLock(file: string, pid: number): Promise<void> {
  if (Number(await readFile(file, 'utf8').catch(() => '')) === pid) await unlink(file).catch(() => {});
}

export interface ServeJobs {
  config: JobsConfig;
  /** Stops the job workers and the embedded database. */
  close(): Promise<void>;
}

/**
 * Jobs for `mlship serve` and `npm start`: the database (DATABASE_URL; else, when the models come
 * from a local store, the embedded one under `.mlship/jobs-db`; else off, with the reason the
 * routes give), and `jobWorkers` job-worker
 * processes (`<entry> worker …`, restarted when they die, at a lower CPU priority so that
 * the HTTP workers keep their latency while a job runs).
 */
export async function serveJobs(
  values: Partial<Record<JobFlag, string | string[]>>,
  io: CommandIO,
  options: { storeUri: string; entry: string; jobWorkers: number; workerArgs: string[]; modelsDir: boolean; warn: (message: string) => void },
): Promise<ServeJobs> {
  let databaseUrl = io.env.DATABASE_URL || undefined;
  // Bad job flags fail here, before any child process is started.
  const config = await jobsConfigFrom(values, io, options.storeUri, databaseUrl);
  let stopping = false;
  // The embedded database runs in a process of its own (`<entry> jobs-db DIR PORT`): PGlite's
  // start takes seconds of CPU, which must not hold up the server. The job routes answer 503 with
  // Retry-After until it is up; the job workers start once it is.
  let embedded: { ready: Promise<boolean>; close(): Promise<void> } | undefined;
  const pidFile = path.resolve(io.cwd, '.mlship', 'jobs-db.pid');
  let pidHeld = process.pid;
  let embeddedOff: string | undefined;
  const local = !/^s3:\/\//i.test(options.storeUri);
  if (!databaseUrl && local && !options.modelsDir) {
    const dir = path.resolve(io.cwd, '.mlship', 'jobs-db');
    const holder = await holdEmbeddedLock(pidFile);
    if (holder) embeddedOff = `batch jobs are off: the embedded jobs database (${dir}) is in use by another server (pid ${holder}); stop it, or set DATABASE_URL`;
    else {
      const port = await freePort();
      databaseUrl = embeddedUrl(port);
      const db = startDatabaseProcess(options.entry, dir, port, io);
      // The file names the database process itself: a server that died (even by SIGKILL) leaves
      // the database's pid, alive until it has stopped, so a restart does not open the folder twice.
      if (db.pid) {
        await writeFile(pidFile, String(db.pid));
        pidHeld = db.pid;
      }
      const ready = db.ready.then(
        () => true,
        (err: unknown) => {
          if (!stopping) options.warn(`batch jobs are off: the embedded jobs database did not start (${(err as Error).message})`);
          return false;
        },
      );
      embedded = { ready, close: db.close };
    }
  }
  config.databaseUrl = databaseUrl;
  if (!databaseUrl) config.disabledReason = embeddedOff ?? (local ? undefined : S3_NEEDS_DATABASE);
  if (databaseUrl && !config.apiKeys) {
    options.warn('batch jobs are open to anyone who can reach this server (no --api-keys): any caller can read any job and its results');
  }
  const children = new Set<ChildProcess>();
  const spawnWorker = () => {
    const args = [options.entry, 'worker', ...options.workerArgs, ...(config.callbackCa && typeof values['callback-ca'] === 'string' ? ['--callback-ca', values['callback-ca']] : [])];
    for (const h of config.allowCallbackHosts) args.push('--allow-callback-host', h);
    const child = spawn(process.execPath, args, {
      cwd: io.cwd,
      env: { ...io.env, DATABASE_URL: databaseUrl, MLSHIP_CALLBACK_SECRET: config.callbackSecret ?? '', MLSHIP_JOB_HEARTBEAT: String(config.lease.heartbeatSeconds) },
      stdio: ['ignore', io.stdout === process.stdout ? 'inherit' : 'pipe', 'inherit', 'ipc'],
    });
    child.channel?.unref();
    if (child.stdout) child.stdout.on('data', (c: Buffer) => io.stdout.write(c.toString()));
    try {
      if (child.pid) setPriority(child.pid, 10);
    } catch {
      // not permitted here: the worker runs at normal priority
    }
    children.add(child);
    child.on('exit', () => {
      children.delete(child);
      if (!stopping) setTimeout(() => !stopping && spawnWorker(), 1000).unref();
    });
  };
  const startWorkers = () => {
    if (!stopping) for (let i = 0; i < options.jobWorkers; i++) spawnWorker();
  };
  if (embedded) void embedded.ready.then((up) => up && startWorkers());
  else if (databaseUrl) startWorkers();
  let closing: Promise<void> | undefined;
  return {
    config,
    close: () => (closing ??= (async () => {
      stopping = true;
      await Promise.all([...children].map((c) => new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.kill('SIGTERM');
      })));
      await embedded?.close();
      if (embedded) await releaseEmbeddedLock(pidFile, pidHeld);
    })()),
  };
}
