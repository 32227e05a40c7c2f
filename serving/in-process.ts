/** The whole server in this process (one worker): the HTTP front, loading, draining on `close()`. */
import { listenHttp } from './http.ts';
import { loadPinned } from './load-pinned.ts';
import { createLogger } from './log.ts';
import { Metrics } from './metrics.ts';
import type { RunningServer, StartOptions } from './server-options.ts';
import { DEFAULT_DRAIN_TIMEOUT_MS, DEFAULT_PORT } from './server-options.ts';
import { createState, installModels } from './state.ts';

export async function startInProcess(options: StartOptions): Promise<RunningServer> {
  const logger = createLogger(options.write);
  const state = createState();
  const front = await listenHttp({
    state,
    limits: options.limits ?? {},
    logger,
    metrics: new Metrics(),
    version: options.version ?? '0.0.0',
    port: options.port ?? DEFAULT_PORT,
    host: options.host,
    repositoryUrl: options.repositoryUrl,
    metricsPort: options.metricsPort,
  });
  logger.log({ level: 'info', msg: 'listening', port: front.port, ...(front.metricsPort !== undefined ? { metricsPort: front.metricsPort } : {}), workers: 1 });
  const loaded = loadPinned(options.lock, options.fetchArtifact, logger, options.load).then((result) => {
    installModels(state, result.models, result.failures);
    return result.ready;
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
  return { port: front.port, ...(front.metricsPort !== undefined ? { metricsPort: front.metricsPort } : {}), workers: 1, loaded, close, closed };
}
