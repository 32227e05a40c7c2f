/**
 * `startServer`: serves what the lock pins, on every core.
 *
 * With more than one worker (default: one per CPU) this process becomes a `node:cluster` primary:
 * it forks the workers (serving/worker.ts) at once, so liveness answers while models load, and it
 * fetches, verifies (sha256 against the lock, then parse, name, version, task) and compiles every
 * model itself, once: one fetch from the store however many workers, and all workers agree on
 * what is ready. Workers receive only verified bytes, check the digest again and compile them.
 * A model that fails is never sent: every worker keeps it not ready, with the reason.
 *
 * With one worker everything runs in this process (tests use that).
 *
 * Shutdown (`close()`, or SIGTERM/SIGINT with `handleSignals`): every worker drains (readiness
 * 503, stops accepting, answers what it accepted, deadline `drainTimeoutMs`, default 25 s) and
 * exits 0; `closed` resolves when all are gone. A second signal exits at once (code 1).
 */
import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Lock } from '../registry/lock.ts';
import type { Limits } from './app.ts';
import { ServeError } from './errors.ts';
import { listenHttp } from './http.ts';
import type { FetchArtifact, LoadOptions, LoadResult } from './loader.ts';
import { loadModels, verifyArtifact } from './loader.ts';
import type { Logger } from './log.ts';
import { createLogger } from './log.ts';
import type { Snapshot } from './metrics.ts';
import { mergeSnapshots, Metrics } from './metrics.ts';
import { createState, installModels, notReadyReason } from './state.ts';
import type { FromPrimary, FromWorker, WorkerConfig } from './worker-protocol.ts';
import { WORKER_CONFIG_ENV } from './worker-protocol.ts';

export const DEFAULT_PORT = 8080;
export const DEFAULT_DRAIN_TIMEOUT_MS = 25_000;

export interface StartOptions {
  lock: Lock;
  fetchArtifact: FetchArtifact;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Default: all interfaces. */
  host?: string;
  limits?: Partial<Limits>;
  /** Worker processes; default one per CPU. 1 serves from this process. */
  workers?: number;
  drainTimeoutMs?: number;
  /** Drain on SIGTERM/SIGINT (what a command line wants). */
  handleSignals?: boolean;
  /** Where JSON log lines go; default stdout. */
  write?: (text: string) => void;
  load?: Pick<LoadOptions, 'attempts' | 'retryDelayMs'>;
}

export interface RunningServer {
  port: number;
  workers: number;
  /** Resolves once loading is done: true when every pinned model is verified and served. */
  loaded: Promise<boolean>;
  /** Drains and stops; resolves when stopped. */
  close(): Promise<void>;
  /** Resolves when stopped (by close() or a signal). */
  closed: Promise<void>;
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const workers = Math.max(1, Math.floor(options.workers ?? availableParallelism()));
  const running = workers === 1 ? await startInProcess(options) : await startCluster(options, workers);
  if (options.handleSignals) handleSignals(running);
  return running;
}

function handleSignals(running: RunningServer): void {
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      process.stderr.write(`mlship serve: second ${signal}, exiting now\n`);
      process.exit(1);
    }
    signalled = true;
    void running.close();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  void running.closed.then(() => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  });
}

function loadAndReport(options: StartOptions, logger: Logger): Promise<LoadResult> {
  const count = Object.keys(options.lock.models).length;
  if (count === 0) logger.log({ level: 'warn', msg: 'the lock pins no models' });
  return loadModels(options.lock, options.fetchArtifact, { ...options.load, log: (r) => logger.log(r) });
}

function reportReadiness(logger: Logger, result: LoadResult): boolean {
  if (result.failures.length === 0) {
    logger.log({ level: 'info', msg: 'ready', models: result.models.map((m) => `${m.name}@${m.version}`) });
    return true;
  }
  logger.log({
    level: 'error',
    msg: 'not ready: a pinned model did not verify or load, so it is not served',
    models: result.failures.map((f) => ({ model: f.name, version: f.entry.version, reason: f.reason })),
  });
  return false;
}

async function startInProcess(options: StartOptions): Promise<RunningServer> {
  const logger = createLogger(options.write);
  const state = createState();
  const metrics = new Metrics();
  const front = await listenHttp({ state, limits: options.limits ?? {}, logger, metrics, port: options.port ?? DEFAULT_PORT, host: options.host });
  logger.log({ level: 'info', msg: 'listening', port: front.port, workers: 1 });
  const loaded = loadAndReport(options, logger).then((result) => {
    installModels(state, result.models, result.failures);
    return reportReadiness(logger, result);
  });
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      logger.log({ level: 'info', msg: 'draining', inflight: front.inflight() });
      const { cutOff } = await front.drain(options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS);
      logger.log(cutOff > 0 ? { level: 'warn', msg: 'stopped: the drain deadline cut requests short', cutOff } : { level: 'info', msg: 'stopped' });
      logger.flush();
      resolveClosed();
    })());
  return { port: front.port, workers: 1, loaded, close, closed };
}

async function startCluster(options: StartOptions, count: number): Promise<RunningServer> {
  if (!cluster.isPrimary) throw new Error('startServer with workers > 1 must run in a primary process');
  const write = options.write;
  const logger = createLogger(write, { role: 'primary' });
  const drainTimeoutMs = options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
  const config: WorkerConfig = { port: options.port ?? DEFAULT_PORT, host: options.host, limits: options.limits ?? {}, drainTimeoutMs, workers: count };
  cluster.setupPrimary({ exec: fileURLToPath(new URL('./worker.ts', import.meta.url)), serialization: 'advanced', silent: write !== undefined });

  const listening = new Set<Worker>();
  const alive = new Set<Worker>();
  let models: FromPrimary | undefined;
  let draining = false;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  let port: number | undefined;
  let started!: { resolve: (port: number) => void; reject: (err: Error) => void };
  const startedPromise = new Promise<number>((resolve, reject) => (started = { resolve, reject }));
  let recentCrashes = 0;

  // /metrics on any worker: gather every worker's snapshot and sum them.
  let gatherId = 0;
  const gathers = new Map<number, { requester: Worker; requestId: number; snapshots: Snapshot[]; waiting: number; timer: NodeJS.Timeout }>();
  const finishGather = (id: number) => {
    const g = gathers.get(id);
    if (!g) return;
    gathers.delete(id);
    clearTimeout(g.timer);
    send(g.requester, { type: 'metrics-result', id: g.requestId, snapshot: mergeSnapshots(g.snapshots) });
  };

  const send = (worker: Worker, message: FromPrimary) => {
    if (worker.isConnected()) worker.send(message, undefined, () => undefined);
  };

  const fork = () => {
    const worker = cluster.fork({ [WORKER_CONFIG_ENV]: JSON.stringify(config) });
    const startedAt = Date.now();
    alive.add(worker);
    if (write) {
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
    worker.on('message', (message: FromWorker) => {
      switch (message.type) {
        case 'listening':
          listening.add(worker);
          port = message.port;
          if (models) send(worker, models);
          if (listening.size === count) started.resolve(message.port);
          return;
        case 'listen-error':
          started.reject(new ServeError(message.error));
          return;
        case 'metrics-request': {
          const id = ++gatherId;
          const targets = [...listening].filter((w) => w.isConnected());
          gathers.set(id, { requester: worker, requestId: message.id, snapshots: [], waiting: targets.length, timer: setTimeout(() => finishGather(id), 1_000) });
          for (const w of targets) send(w, { type: 'metrics-collect', id });
          return;
        }
        case 'metrics-snapshot': {
          const g = gathers.get(message.id);
          if (!g) return;
          g.snapshots.push(message.snapshot);
          if (--g.waiting <= 0) finishGather(message.id);
          return;
        }
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
  logger.log({ level: 'info', msg: 'listening', port: boundPort, workers: count });

  const loaded = loadAndReport(options, logger).then((result) => {
    models = { type: 'models', verified: result.verified, failures: result.failures };
    for (const w of listening) send(w, models);
    return reportReadiness(logger, result);
  });
  return { port: boundPort, workers: count, loaded, close, closed };
}

/** Runs in each cluster worker (serving/worker.ts). */
export async function runWorker(config: WorkerConfig): Promise<void> {
  const logger = createLogger(undefined, { worker: cluster.worker?.id, pid: process.pid });
  const state = createState();
  state.workers = config.workers;
  const metrics = new Metrics();
  let requestId = 0;
  const pending = new Map<number, (s: Snapshot) => void>();
  const sendPrimary = (message: FromWorker) => {
    if (process.connected) process.send!(message, undefined, {}, () => undefined);
  };
  const collectMetrics = () =>
    new Promise<Snapshot>((resolve) => {
      const id = ++requestId;
      pending.set(id, resolve);
      sendPrimary({ type: 'metrics-request', id });
      setTimeout(() => {
        if (pending.delete(id)) resolve(metrics.snapshot());
      }, 2_000).unref();
    });

  let front: Awaited<ReturnType<typeof listenHttp>> | undefined;
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    state.draining = true;
    const { cutOff } = front ? await front.drain(config.drainTimeoutMs) : { cutOff: 0 };
    if (cutOff > 0) logger.log({ level: 'warn', msg: 'the drain deadline cut requests short', cutOff });
    logger.flush();
    process.exit(0);
  };

  process.on('message', (message: FromPrimary) => {
    switch (message.type) {
      case 'models': {
        const served = [];
        const failures = [...message.failures];
        for (const v of message.verified) {
          try {
            served.push(verifyArtifact(v.name, v.entry, v.bytes));
          } catch (err) {
            failures.push({ name: v.name, entry: v.entry, reason: (err as Error).message });
            logger.log({ level: 'error', msg: 'model not served', model: v.name, version: v.entry.version, reason: (err as Error).message });
          }
        }
        installModels(state, served, failures);
        const reason = notReadyReason(state);
        if (reason !== undefined && !state.draining) logger.log({ level: 'error', msg: 'not ready', reason });
        return;
      }
      case 'drain':
        void stop();
        return;
      case 'metrics-collect':
        sendPrimary({ type: 'metrics-snapshot', id: message.id, snapshot: metrics.snapshot() });
        return;
      case 'metrics-result': {
        const resolve = pending.get(message.id);
        if (resolve) {
          pending.delete(message.id);
          resolve(message.snapshot);
        }
        return;
      }
    }
  });
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  process.on('disconnect', () => void stop());

  try {
    front = await listenHttp({ state, limits: config.limits, logger, metrics, collectMetrics, port: config.port, host: config.host });
  } catch (err) {
    sendPrimary({ type: 'listen-error', error: (err as Error).message });
    logger.flush();
    process.exit(1);
  }
  sendPrimary({ type: 'listening', port: front.port });
}
