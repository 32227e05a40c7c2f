/**
 * A cluster worker: asks the primary for its configuration, listens, serves the models the
 * primary verified and compiled (rebuilding each predictor over the tables it was sent), answers
 * `/metrics` with every worker's sum (asked of the primary; its own counts if the primary does
 * not answer in 2 s), and drains when told to (or when the primary goes away).
 *
 * The process-level part stays with the caller (cli/serve-entry.ts): it turns signals into
 * `close()` and exits with the code `closed` gives (0 drained, 1 could not listen).
 */
import cluster from 'node:cluster';
import { listenHttp } from '../http.ts';
import type { HttpFront } from '../http.ts';
import { createLogger } from '../log.ts';
import { Metrics } from '../metrics.ts';
import { modelFromShared } from '../model.ts';
import { createState, installModels, notReadyReason } from '../state.ts';
import type { FromPrimary, FromWorker, WorkerConfig } from './protocol.ts';

export interface RunningWorker {
  /** Drains (readiness 503, answers what was accepted, then stops). */
  close(): void;
  /** The exit code, once stopped. */
  closed: Promise<number>;
}

export function runWorker(): RunningWorker {
  const worker = cluster.worker;
  if (!worker) throw new Error('runWorker runs in a cluster worker (forked by startServer)');
  const logger = createLogger(undefined, { worker: worker.id, pid: worker.process.pid });
  const state = createState();
  const metrics = new Metrics();
  metrics.serveToPrimary();
  let resolveClosed!: (code: number) => void;
  const closed = new Promise<number>((resolve) => (resolveClosed = resolve));

  const sendPrimary = (message: FromWorker) => {
    if (worker.isConnected()) worker.send(message, undefined, () => undefined);
  };
  let requestId = 0;
  const pending = new Map<number, (text: string | undefined) => void>();
  const metricsText = () =>
    new Promise<string | undefined>((resolve) => {
      const id = ++requestId;
      pending.set(id, resolve);
      sendPrimary({ type: 'metrics-request', id });
      setTimeout(() => {
        if (pending.delete(id)) resolve(undefined);
      }, 2_000).unref();
    }).then((text) => text ?? metrics.text());

  let config: WorkerConfig | undefined;
  let front: HttpFront | undefined;
  let stopping = false;
  const close = () => {
    if (stopping) return;
    stopping = true;
    state.draining = true;
    void (async () => {
      const { cutOff } = front ? await front.drain(config!.drainTimeoutMs) : { cutOff: 0 };
      if (cutOff > 0) logger.log({ level: 'warn', msg: 'the drain deadline cut requests short', cutOff });
      logger.flush();
      resolveClosed(0);
    })();
  };

  const listen = async (c: WorkerConfig) => {
    config = c;
    state.workers = c.workers;
    try {
      front = await listenHttp({ state, limits: c.limits, logger, metrics, metricsText, version: c.version, port: c.port, host: c.host, metricsPort: c.metricsPort, repositoryUrl: c.repositoryUrl, jobs: c.jobs });
    } catch (err) {
      sendPrimary({ type: 'listen-error', error: (err as Error).message });
      logger.flush();
      resolveClosed(1);
      return;
    }
    sendPrimary({ type: 'listening', port: front.port, ...(front.metricsPort !== undefined ? { metricsPort: front.metricsPort } : {}) });
  };

  worker.on('message', (message: FromPrimary) => {
    switch (message.type) {
      case 'config':
        if (!config) void listen(message.config);
        return;
      case 'models': {
        installModels(state, message.models.map(modelFromShared), message.failures);
        const reason = notReadyReason(state);
        if (reason !== undefined && !state.draining) logger.log({ level: 'error', msg: 'not ready', reason });
        return;
      }
      case 'drain':
        close();
        return;
      case 'metrics-result': {
        const resolve = pending.get(message.id);
        if (resolve) {
          pending.delete(message.id);
          resolve(message.text);
        }
        return;
      }
      // anything else (prom-client's own messages) is not ours
    }
  });
  worker.on('disconnect', close);
  sendPrimary({ type: 'started' });
  return { close, closed };
}
