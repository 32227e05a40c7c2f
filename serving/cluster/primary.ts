/**
 * The cluster primary: forks the workers at once (liveness answers while models load), then
 * fetches, verifies (sha256 against the lock, then parse, name, version, task) and compiles every
 * model itself, once: one fetch from the store however many workers, and all workers agree on
 * what is ready. Workers receive the compiled models (the predictors' typed arrays, `shareModel`)
 * and parse no artifact: they trust their primary, whose private IPC channel is the only way in.
 * A model that fails is never sent: every worker keeps it not ready, with the reason.
 *
 * A worker that dies is replaced. A scrape of `/metrics` on any worker is answered with every
 * worker's sum (prom-client's AggregatorRegistry, here). `close()`: every worker drains
 * (cluster/worker.ts) and exits; `closed` resolves when all are gone.
 */
import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import { ServeError } from '../errors.ts';
import { loadPinned } from '../load-pinned.ts';
import { createLogger } from '../log.ts';
import { clusterMetricsText } from '../metrics.ts';
import { shareModel } from '../model.ts';
import type { RunningServer, StartOptions } from '../server-options.ts';
import { DEFAULT_DRAIN_TIMEOUT_MS, DEFAULT_PORT } from '../server-options.ts';
import type { FromPrimary, FromWorker, WorkerConfig } from './protocol.ts';

/** Worker output, whole lines at a time, to `write` (when the caller's log sink is not our stdout). */
function forwardOutput(worker: Worker, write: (text: string) => void): void {
  for (const stream of [worker.process.stdout, worker.process.stderr]) {
    let rest = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const text = rest + chunk;
      const end = text.lastIndexOf('\n') + 1;
      rest = text.slice(end);
      if (end > 0) write(text.slice(0, end));
    });
  }
}

/**
 * A worker's node flags: the primary's, plus 4 MB young-generation semi-spaces unless they or
 * NODE_OPTIONS set a size. Single-row requests allocate fast and die young, but some are in
 * flight at each scavenge: with 1 MB semi-spaces those survive twice and are promoted, so old
 * space fills with garbage that waits for a full collection and RSS follows it, up and down. With 16 MB (V8's own limit)
 * nothing much is promoted but the young generation itself is 32 MB. Two workers, 1,300,000
 * single-row requests, RSS from ~50,000 requests on: 1 MB 92 → 120 MB, 4 MB 94 → 94 MB (and 18%
 * more requests a second), 16 MB 109 → 110 MB. The cost: 4 MB more RSS right after start, when
 * start-up has touched the larger semi-space.
 */
export function workerExecArgv(primary: readonly string[], nodeOptions = ''): string[] {
  // node takes the flag from NODE_OPTIONS too, and with underscores; a later one on the command line wins
  const sets = [...primary, ...nodeOptions.split(/\s+/)].some((a) => /^--max[-_]semi[-_]space[-_]size=/.test(a));
  return sets ? [...primary] : [...primary, '--max-semi-space-size=4'];
}

/**
 * What a worker's environment adds to the primary's: glibc's malloc hands blocks of 32 KB and more
 * back to the system when they are freed (mmap), unless the environment already says how. V8
 * parses the 3.4 MB bundle in 32 KB zone segments (7 MB at the peak) and frees them at once, but
 * with glibc's default threshold that memory stays in the process's heap, as RSS, for good. With
 * the three example models, 2 workers from the bundle: 87 MB a worker before, 81 MB after
 * (`bench/run.ts --only rss`), and single-row requests per second did not drop. Other C libraries
 * (musl) ignore the variable.
 */
export function workerEnv(primary: NodeJS.ProcessEnv): Record<string, string> {
  const set = primary.MALLOC_MMAP_THRESHOLD_ !== undefined || /\bglibc\.malloc\.mmap_threshold=/.test(primary.GLIBC_TUNABLES ?? '');
  return set ? {} : { MALLOC_MMAP_THRESHOLD_: '32768' };
}

export async function startCluster(options: StartOptions, workerEntry: string, count: number): Promise<RunningServer> {
  if (!cluster.isPrimary) throw new Error('startServer with workers > 1 must run in a primary process');
  const write = options.write;
  const logger = createLogger(write, { role: 'primary' });
  const drainTimeoutMs = options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
  const config: WorkerConfig = { port: options.port ?? DEFAULT_PORT, host: options.host, metricsPort: options.metricsPort, limits: options.limits ?? {}, drainTimeoutMs, workers: count, version: options.version ?? '0.0.0', jobs: options.jobs };
  if (options.repositoryUrl) config.repositoryUrl = options.repositoryUrl;
  // `args: []`: the worker entry learns it is a worker from node:cluster and gets its configuration by message.
  cluster.setupPrimary({ exec: workerEntry, args: [], execArgv: workerExecArgv(process.execArgv, process.env.NODE_OPTIONS), serialization: 'advanced', silent: write !== undefined });
  const aggregator = new AggregatorRegistry();

  const listening = new Set<Worker>();
  const alive = new Set<Worker>();
  let models: FromPrimary | undefined;
  let draining = false;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  let port: number | undefined;
  let metricsPort: number | undefined;
  let started!: { resolve: (port: number) => void; reject: (err: Error) => void };
  const startedPromise = new Promise<number>((resolve, reject) => (started = { resolve, reject }));
  let recentCrashes = 0;

  const send = (worker: Worker, message: FromPrimary) => {
    if (worker.isConnected()) worker.send(message, undefined, () => undefined);
  };

  const env = workerEnv(process.env);
  const fork = () => {
    const worker = cluster.fork(env);
    const startedAt = Date.now();
    alive.add(worker);
    if (write) forwardOutput(worker, write);
    worker.on('message', (message: FromWorker) => {
      switch (message.type) {
        case 'started':
          send(worker, { type: 'config', config });
          return;
        case 'listening':
          listening.add(worker);
          port = message.port;
          if (message.metricsPort !== undefined) metricsPort = message.metricsPort;
          if (models) send(worker, models);
          if (listening.size === count) started.resolve(message.port);
          return;
        case 'listen-error':
          started.reject(new ServeError(message.error));
          return;
        case 'metrics-request':
          clusterMetricsText(aggregator).then(
            (text) => send(worker, { type: 'metrics-result', id: message.id, text }),
            () => send(worker, { type: 'metrics-result', id: message.id, text: undefined }),
          );
          return;
      }
    });
    worker.on('exit', (code, signal) => {
      alive.delete(worker);
      listening.delete(worker);
      if (draining) {
        if (alive.size === 0) {
          logger.log({ level: 'info', msg: 'stopped' });
          logger.flush();
          resolveClosed();
        }
        return;
      }
      recentCrashes = Date.now() - startedAt < 5_000 ? recentCrashes + 1 : 0;
      logger.log({ level: 'error', msg: 'worker exited; starting another', pid: worker.process.pid, code, signal });
      if (port === undefined && recentCrashes >= 3) {
        started.reject(new ServeError(`workers exit at start (code ${code}, signal ${signal})`));
        return;
      }
      setTimeout(() => {
        if (!draining) fork();
      }, Math.min(10_000, 200 * 2 ** recentCrashes)).unref();
    });
  };

  for (let i = 0; i < count; i++) fork();

  const close = async () => {
    if (!draining) {
      draining = true;
      logger.log({ level: 'info', msg: 'draining', workers: alive.size });
      if (alive.size === 0) resolveClosed();
      // A worker still starting may not listen for messages yet; SIGTERM drains it either way.
      for (const w of alive) {
        if (listening.has(w)) send(w, { type: 'drain' });
        else w.process.kill('SIGTERM');
      }
      const kill = setTimeout(() => {
        for (const w of alive) {
          logger.log({ level: 'error', msg: 'worker did not stop after the drain deadline; killing it', pid: w.process.pid });
          w.process.kill('SIGKILL');
        }
      }, drainTimeoutMs + 5_000);
      kill.unref();
      void closed.then(() => clearTimeout(kill));
    }
    return closed;
  };

  let boundPort: number;
  try {
    boundPort = await startedPromise;
  } catch (err) {
    await close();
    throw err;
  }
  logger.log({ level: 'info', msg: 'listening', port: boundPort, ...(metricsPort !== undefined ? { metricsPort } : {}), workers: count });

  const loaded = loadPinned(options.lock, options.fetchArtifact, logger, options.load).then((result) => {
    models = { type: 'models', models: result.models.map(shareModel), failures: result.failures };
    for (const w of listening) send(w, models);
    return result.ready;
  });
  return { port: boundPort, ...(metricsPort !== undefined ? { metricsPort } : {}), workers: count, loaded, close, closed };
}
